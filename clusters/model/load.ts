// Reading a cluster file: YAML → schema → rules → the Cluster model. Every problem is reported as
// `file:line:col: field.path: reason`, pointing at the YAML node the problem is about.
import { type Document, isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { z } from "zod";
import { friendlyMessage, unknownFieldMessage } from "./messages";
import { type Plan, planAddresses } from "./plan";
import { checkRules } from "./rules";
import { ClusterFileError, type Problem } from "./problems";
import { type ClusterConfig, ClusterFile } from "./schema";
import { decodeClusterText, parseClusterYaml, readClusterBytes } from "./source";

export interface Cluster<C extends ClusterConfig = ClusterConfig> {
  /** the file it came from, as given (for messages) */
  file: string;
  config: C;
  plan: Plan;
}

export { ClusterFileError, formatProblem, type Problem } from "./problems";

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

export function loadCluster(file: string): Cluster {
  return parseCluster(decodeClusterText(readClusterBytes(file), file), file);
}

export function parseCluster(text: string, file: string): Cluster {
  const { config, problemsAt } = parseWithSchema(text, file, ClusterFile, unknownFieldMessage);
  const ruleProblems = checkRules(config);
  if (ruleProblems.length > 0) throw problemsAt(ruleProblems);
  return { file, config, plan: planAddresses(config) };
}

/** A file parsed against `schema`, and how to report rule problems at places in it. */
export interface ParsedFile<T> {
  config: T;
  /** the error for problems found after the schema (rules), each at its place in the file */
  problemsAt(problems: readonly { path: readonly PropertyKey[]; message: string }[]): ClusterFileError;
}

/**
 * YAML text → `schema`'s output, or a ClusterFileError with every problem at its line and column.
 * Shared by cluster files and site files: the same checks of the YAML, the same messages.
 */
export function parseWithSchema<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  unknownField: (path: readonly PropertyKey[], data: unknown) => string,
): ParsedFile<z.output<S>> {
  const { doc, pos, data } = parseClusterYaml(text.replace(/\r\n?/g, "\n"), file);
  const parsed = schema.safeParse(data, { error: friendlyMessage });
  if (!parsed.success)
    throw new ClusterFileError(file, sortProblems(parsed.error.issues.flatMap((i) => issueProblems(doc, pos, i, data, unknownField))));
  const config = parsed.data;
  return {
    config,
    problemsAt: (problems) =>
      new ClusterFileError(
        file,
        sortProblems(
          problems.map((r) => {
            const at = locate(doc, pos, r.path);
            // a rule about a field the file does not set: say it is the default that is at fault
            const note = at.found
              ? ""
              : ` (${formatPath(r.path)} is not in the file: its default, ${JSON.stringify(valueAt(config, r.path))}, applies)`;
            return { line: at.line, col: at.col, path: formatPath(r.path), message: `${r.message}${note}` };
          }),
        ),
      ),
  };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
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
  unknownField: (path: readonly PropertyKey[], data: unknown) => string,
): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const at = locate(doc, pos, path, true);
      return { line: at.line, col: at.col, path: formatPath(path), message: unknownField(path, data) };
    });
  }
  const at = locate(doc, pos, issue.path);
  return [{ line: at.line, col: at.col, path: formatPath(issue.path), message: issue.message }];
}

/**
 * Line and column of the node at `path` (`found`). For a path the file does not hold (a missing
 * or defaulted field) it is the key of the deepest parent the file has, or no place at all
 * (line 0) when the file has none of it; with `atKey` it is the key of the last segment (unknown
 * fields).
 */
function locate(
  doc: Document,
  pos: (o: number) => { line: number; col: number },
  path: readonly PropertyKey[],
  atKey = false,
): { line: number; col: number; found: boolean } {
  let node: unknown = doc.contents;
  let at: Node | undefined = path.length === 0 ? (doc.contents as Node) : undefined;
  let found = path.length === 0;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      at = last ? (atKey ? key : (value ?? key)) : key;
      node = value;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
      at = node.items[seg] as Node;
      node = at;
    } else break;
    if (last) found = true;
  }
  if (!at?.range) return { line: 0, col: 0, found };
  return { ...pos(at.range[0]), found };
}
