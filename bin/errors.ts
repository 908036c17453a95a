// How the CLI ends when something is wrong: see clusters/model/errors.ts (one base class for every
// error the user can fix, printed as one line with its exit code; never a stack trace).
export { exitWithError, printable, UsageError, UserError } from "../clusters/model/errors";
