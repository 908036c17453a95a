// How the CLI ends when something is wrong: one message on stderr, a meaningful exit code, and
// never a stack trace for a mistake the user can fix.

/** A bad command line (as opposed to a bad cluster file). Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function reportAndExit(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
