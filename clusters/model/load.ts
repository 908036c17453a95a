// Reading a cluster file: YAML → schema → rules → the Cluster model. Every problem is reported as
// `file:line:col: field.path: reason`, pointing at the YAML node the problem is about.
import { readFileSync } from "node:fs";
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { UserError } from "./errors";
import { friendlyMessage, unknownFieldMessage } from "./messages";
import { type Plan, planAddresses } from "./plan";
import { checkRules } from "./rules";
import { type ClusterConfig, ClusterFile } from "./schema";

export interface Cluster<C extends ClusterConfig = ClusterConfig> {
  /** the file it came from, as given (for messages) */
  file: string;
  config: C;
  plan: Plan;
}

export interface Problem {
  line: number;
  col: number;
  /** field path such as workers[1].name; empty for YAML syntax errors */
  path: string;
  message: string;
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

export function formatProblem(file: string, p: Problem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.col}` : file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

export function loadCluster(file: string): Cluster {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a cluster file"
          : code === "EACCES"
            ? "permission denied"
            : (e as Error).message;
    throw new ClusterFileError(file, [{ line: 0, col: 0, path: "", message: `cannot read cluster file: ${why}` }]);
  }
  return parseCluster(text, file);
}

export function parseCluster(text: string, file: string): Cluster {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => lineCounter.linePos(offset);

  // Only the first syntax error: the ones after it are usually its echoes.
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = pos(syntax.pos[0]);
    throw new ClusterFileError(file, [{ line, col, path: "", message: `YAML syntax: ${syntax.message.split("\n")[0]}` }]);
  }
  if (!isMap(doc.contents)) {
    const what = doc.contents === null ? "is empty" : "is not a mapping of fields";
    const { line, col } = doc.contents?.range ? pos(doc.contents.range[0]) : { line: 1, col: 1 };
    throw new ClusterFileError(file, [
      { line, col, path: "", message: `the file ${what}; a cluster file starts with fields such as name:, cloud: and adminCidrs:` },
    ]);
  }

  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  const parsed = ClusterFile.safeParse(data, { error: friendlyMessage });
  if (!parsed.success) throw new ClusterFileError(file, sortProblems(parsed.error.issues.flatMap((i) => issueProblems(doc, pos, i, data))));

  const config = parsed.data;
  const ruleProblems = checkRules(config);
  if (ruleProblems.length > 0)
    throw new ClusterFileError(
      file,
      sortProblems(ruleProblems.map((r) => ({ ...locate(doc, pos, r.path), path: formatPath(r.path), message: r.message }))),
    );
  return { file, config, plan: planAddresses(config) };
}

function sortProblems(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps
    .filter((p) => {
      const k = `${p.line}:${p.col}:${p.path}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

function issueProblems(
  doc: Document,
  pos: (o: number) => { line: number; col: number },
  issue: z.core.$ZodIssue,
  data: unknown,
): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { ...locate(doc, pos, path, true), path: formatPath(path), message: unknownFieldMessage(path, data) };
    });
  }
  return [{ ...locate(doc, pos, issue.path), path: formatPath(issue.path), message: issue.message }];
}

/**
 * Line and column of the node at `path`. For a path that does not exist (a missing field) this is
 * the deepest existing parent; with `atKey` it is the key of the last segment (unknown fields).
 */
function locate(doc: Document, pos: (o: number) => { line: number; col: number }, path: readonly PropertyKey[], atKey = false) {
  let node: unknown = doc.contents;
  let at: Node | null = doc.contents as Node;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      at = atKey && i === path.length - 1 ? key : (value ?? key);
      node = value;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
      at = node.items[seg] as Node;
      node = at;
    } else break;
  }
  const offset = at?.range?.[0] ?? 0;
  return pos(offset);
}
