// A problem with a cluster file, and how it is said: `file:line:col: field.path: reason` — one line
// each, with any control character in it shown escaped.
import { printable, UserError } from "./errors";

export interface Problem {
  /** 0 when the problem has no place in the file (a field the file does not set) */
  line: number;
  col: number;
  /** field path such as workers[1].name; empty for problems of the file itself */
  path: string;
  message: string;
}

export function formatProblem(file: string, p: Problem): string {
  const where = p.line > 0 ? `${printable(file)}:${p.line}:${p.col}` : printable(file);
  return p.path ? `${where}: ${printable(p.path)}: ${printable(p.message)}` : `${where}: ${printable(p.message)}`;
}

/** One or more problems with a cluster file. `message` is ready to print. */
export class ClusterFileError extends UserError {
  override readonly located = true;
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join("\n"));
    this.name = "ClusterFileError";
  }
}

/** A problem of the file as a whole or at one place in it. */
export function fileProblem(file: string, message: string, at: { line: number; col: number } = { line: 0, col: 0 }): ClusterFileError {
  return new ClusterFileError(file, [{ line: at.line, col: at.col, path: "", message }]);
}
