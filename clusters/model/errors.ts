// The one base class of every error the user can fix: a bad cluster file, a bad command line, a
// folder that cannot be written, a failed download. The CLI prints such an error as it is (one
// line, control characters shown escaped) and exits with its code; anything else is a bug and
// gets "internal error" (exit 70).

export class UserError extends Error {
  /** 1: the input or the environment is wrong; 2: the command line is */
  readonly exitCode: number = 1;
  /**
   * true when the message already says where (`file:line:col: …`); otherwise the CLI puts
   * "slipway: " in front of it
   */
  readonly located: boolean = false;
}

/** A bad command line. Exit code 2. */
export class UsageError extends UserError {
  override name = "UsageError";
  override readonly exitCode = 2;
}

/** A file or folder slipway refuses to write, or cannot write. Exit code 1. */
export class OutputError extends UserError {
  override name = "OutputError";
}

/**
 * Text from outside (a cluster file, a server's answer, a path) made safe to print on a terminal:
 * control characters and the Unicode characters that reorder text are shown as escapes, so a
 * message can never move the cursor, change colours or hide what follows.
 */
/** C0 (but tab), DEL, C1, and the bidirectional overrides/isolates: what a terminal acts on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Ends the process for `e`: a UserError as its one line and exit code; a file-system error that
 * escaped as one line about its path (exit 1); anything else as an internal error (exit 70, the
 * stack trace only with SLIPWAY_DEBUG=1).
 */
export function exitWithError(e: unknown): never {
  function say(message: string, code: number): never {
    process.stderr.write(`${message.split("\n").map(printable).join("\n")}\n`);
    return process.exit(code);
  }
  if (e instanceof UserError) say(e.located ? e.message : `slipway: ${e.message}`, e.exitCode);
  const fsError = e as NodeJS.ErrnoException;
  if (fsError?.syscall && fsError.path) {
    const { fsReason } = require("./safe-files") as typeof import("./safe-files");
    say(`slipway: ${fsError.path}: ${fsReason(fsError)}`, 1);
  }
  say(
    `slipway: internal error: ${e instanceof Error ? e.message : String(e)}` +
      (process.env.SLIPWAY_DEBUG ? `\n${e instanceof Error ? e.stack : ""}` : "\n(set SLIPWAY_DEBUG=1 to see where)"),
    70,
  );
}
