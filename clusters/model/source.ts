// From the bytes of a cluster file to plain data, refusing what a careless or hostile file can do
// to a YAML reader before the schema ever sees it — each with one located line:
//
//   size        over 1 MiB is refused before it is read (a 50 MB file would cost 600 MB)
//   encoding    UTF-8 only (a UTF-8 byte order mark is fine); UTF-16/32 and invalid bytes named
//   lines       CRLF and CR-only line endings read as LF, so lines count as an editor shows them
//   characters  no control characters (NUL, escape sequences, …) anywhere but tab and newline
//   nesting     at most 64 levels (thousands would exhaust the reader's stack)
//   syntax      the first error only; an unclosed quote or bracket is reported where it opens
//   tags        only YAML's core tags; an unknown one is refused, not dropped
//   aliases     an alias must have its anchor; at most 100, and no alias bomb
//   keys        no `__proto__` (it would reach JavaScript objects as a prototype)
//   numbers     an integer too large to be exact is refused, not rounded
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type CST, type Document, isAlias, isMap, isPair, isScalar, LineCounter, type Node, Parser, parseDocument, visit } from "yaml";
import { printable, UNPRINTABLE } from "./errors";
import { fileProblem } from "./problems";
import { fsReason } from "./safe-files";

export const MAX_FILE_BYTES = 1 << 20;
export const MAX_DEPTH = 64;
export const MAX_ALIASES = 100;

type Pos = { line: number; col: number };

/** Line and column of a character offset in `text`. */
function posIn(text: string, offset: number): Pos {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** The bytes of `file`, refusing one over the limit before reading it. */
export function readClusterBytes(file: string, kind = "cluster file"): Buffer {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fileProblem(file, `cannot read ${kind}: ${err.code === "ENOENT" ? "no such file" : fsReason(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw fileProblem(file, `cannot read ${kind}: is a directory, not a ${kind}`);
    if (!st.isFile()) throw fileProblem(file, `cannot read ${kind}: not a regular file`);
    if (st.size > MAX_FILE_BYTES)
      throw fileProblem(
        file,
        `is ${st.size.toLocaleString("en")} bytes; a ${kind} is at most ${MAX_FILE_BYTES.toLocaleString("en")} bytes (1 MiB)`,
      );
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.syscall) throw fileProblem(file, `cannot read ${kind}: ${fsReason(err)}`);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
function invalidUtf8At(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i] as number;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // overlong, surrogates and beyond U+10FFFF
    if (n === 2 && ((c === 0xe0 && (b[i + 1] as number) < 0xa0) || (c === 0xed && (b[i + 1] as number) >= 0xa0))) return i;
    if (n === 3 && ((c === 0xf0 && (b[i + 1] as number) < 0x90) || (c === 0xf4 && (b[i + 1] as number) >= 0x90))) return i;
    i += n + 1;
  }
  return -1;
}

/** The file's text: UTF-8 without a byte order mark, line endings as LF, no control characters. */
export function decodeClusterText(bytes: Buffer, file: string): string {
  const starts = (...sig: number[]) => sig.every((v, i) => bytes[i] === v);
  if (starts(0x00, 0x00, 0xfe, 0xff) || starts(0xff, 0xfe, 0x00, 0x00))
    throw fileProblem(file, "is UTF-32 (it starts with a byte order mark); save it as UTF-8", { line: 1, col: 1 });
  if (starts(0xfe, 0xff) || starts(0xff, 0xfe) || (bytes.length >= 2 && (bytes[0] === 0) !== (bytes[1] === 0)))
    throw fileProblem(file, "is UTF-16; save it as UTF-8", { line: 1, col: 1 });
  const body = starts(0xef, 0xbb, 0xbf) ? bytes.subarray(3) : bytes;
  const bad = invalidUtf8At(body);
  if (bad >= 0) {
    const before = body.subarray(0, bad).toString("utf8");
    throw fileProblem(
      file,
      `is not valid UTF-8: byte 0x${(body[bad] as number).toString(16).padStart(2, "0")} here; save the file as UTF-8`,
      posIn(before, before.length),
    );
  }
  const text = body.toString("utf8").replace(/\r\n?/g, "\n");
  const ctl = new RegExp(UNPRINTABLE.source.replace("\\u000a-", "\\u000b-"), "u").exec(text);
  if (ctl)
    throw fileProblem(
      file,
      `holds a control character (${printable(ctl[0])}) here; cluster files are plain text (no NUL bytes, no terminal escape sequences)`,
      posIn(text, ctl.index),
    );
  return text;
}

type Token = CST.Token;

/** Collections inside `t`, one level down. */
function children(t: Token): Token[] {
  const out: Token[] = [];
  const add = (x: Token | undefined) => {
    if (x) out.push(x);
  };
  switch (t.type) {
    case "document":
      add(t.value);
      break;
    case "block-map":
    case "block-seq":
    case "flow-collection":
      for (const it of t.items) {
        add((it as { key?: Token }).key ?? undefined);
        add(it.value);
      }
      break;
    default:
      break;
  }
  return out;
}

/** The first collection nested deeper than the limit, or undefined (walked without recursion). */
function tooDeep(text: string): number | undefined {
  const stack: { t: Token; depth: number }[] = [...new Parser().parse(text)].map((t) => ({ t, depth: 0 }));
  while (stack.length) {
    const { t, depth } = stack.pop() as { t: Token; depth: number };
    const nested = t.type === "block-map" || t.type === "block-seq" || t.type === "flow-collection";
    const d = depth + (nested ? 1 : 0);
    if (d > MAX_DEPTH) return t.offset;
    for (const c of children(t)) stack.push({ t: c, depth: d });
  }
  return undefined;
}

/** Where the unclosed quote or bracket a syntax error is about opens. */
function opener(text: string, code: string): { offset: number; what: string } | undefined {
  const found: { offset: number; what: string }[] = [];
  const stack: Token[] = [...new Parser().parse(text)];
  while (stack.length) {
    const t = stack.pop() as Token;
    if (t.type === "flow-collection" && !t.end.some((e) => e.source === "]" || e.source === "}"))
      found.push({
        offset: t.start.offset,
        what: `this ${t.start.source} is never closed (${t.start.source === "[" ? "]" : "}"} missing)`,
      });
    if (t.type === "double-quoted-scalar" || t.type === "single-quoted-scalar") {
      const q = t.type === "double-quoted-scalar" ? '"' : "'";
      const s = t.source.trimEnd();
      if (s.length < 2 || !s.endsWith(q) || (q === '"' && /(^|[^\\])(\\\\)*\\"$/.test(s)))
        found.push({ offset: t.offset, what: `this ${q} is never closed` });
    }
    stack.push(...children(t));
  }
  const wanted = code === "MISSING_CHAR" ? found.filter((f) => f.what.includes("quote") || /"|'/.test(f.what)) : found;
  return (wanted.length ? wanted : found).sort((a, b) => a.offset - b.offset)[0];
}

const CORE_TAGS = new Set([
  "tag:yaml.org,2002:str",
  "tag:yaml.org,2002:int",
  "tag:yaml.org,2002:float",
  "tag:yaml.org,2002:bool",
  "tag:yaml.org,2002:null",
  "tag:yaml.org,2002:map",
  "tag:yaml.org,2002:seq",
]);

export interface ParsedYaml {
  doc: Document;
  pos: (offset: number) => Pos;
  data: unknown;
}

/** A YAML document of a cluster file, checked node by node, and its data. */
export function parseClusterYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const pos = (offset: number) => lineCounter.linePos(offset);

  const deep = tooDeep(text);
  if (deep !== undefined)
    throw fileProblem(file, `YAML nesting deeper than ${MAX_DEPTH} levels; a cluster file needs a handful`, posIn(text, deep));

  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const open =
      syntax.code === "MISSING_CHAR" || syntax.code === "BAD_INDENT" || syntax.code === "UNEXPECTED_TOKEN"
        ? opener(text, syntax.code)
        : undefined;
    if (open) throw fileProblem(file, `YAML syntax: ${open.what}`, pos(open.offset));
    throw fileProblem(file, `YAML syntax: ${syntax.message.split("\n")[0]}`, pos(syntax.pos[0]));
  }
  if (doc.warnings.length > 0) {
    const w = doc.warnings[0] as (typeof doc.warnings)[number];
    throw fileProblem(file, `YAML: ${w.message.split("\n")[0]} (cluster files use no tags; write the plain value)`, pos(w.pos[0]));
  }

  let problem: { message: string; at: number } | undefined;
  let aliases = 0;
  visit(doc, {
    Node(_, node) {
      const n = node as Node & { tag?: string; range?: [number, number, number] };
      if (n.tag && !CORE_TAGS.has(n.tag)) {
        problem ??= {
          message: `YAML tag ${n.tag.replace("tag:yaml.org,2002:", "!!")} is not used in cluster files; write the plain value`,
          at: n.range?.[0] ?? 0,
        };
        return visit.BREAK;
      }
      if (isAlias(n)) {
        aliases++;
        if (!n.resolve(doc)) {
          problem ??= { message: `alias *${n.source} has no anchor &${n.source} before it`, at: n.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        if (aliases > MAX_ALIASES) {
          problem ??= { message: `more than ${MAX_ALIASES} aliases; a cluster file needs few`, at: n.range?.[0] ?? 0 };
          return visit.BREAK;
        }
      }
      if (isScalar(n) && typeof n.value === "number" && Number.isInteger(n.value) && !Number.isSafeInteger(n.value)) {
        problem ??= {
          message: `${printable(String(n.source ?? n.value))} is too large to be represented exactly (the most is 9007199254740991)`,
          at: n.range?.[0] ?? 0,
        };
        return visit.BREAK;
      }
      return undefined;
    },
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === "__proto__") {
        problem ??= { message: `"__proto__" is not a field name slipway accepts`, at: pair.key.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (problem) throw fileProblem(file, problem.message, pos(problem.at));

  if (!isMap(doc.contents)) {
    const what = doc.contents === null ? "is empty" : "is not a mapping of fields";
    const at = doc.contents?.range ? pos(doc.contents.range[0]) : { line: 1, col: 1 };
    throw fileProblem(file, `the file ${what}; a cluster file starts with fields such as name:, cloud: and adminCidrs:`, at);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    let first = 0;
    visit(doc, {
      Alias(_, a) {
        first = (a as Node).range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    throw fileProblem(file, `aliases expand to too much (${(e as Error).message.split("\n")[0]})`, pos(first));
  }
  return { doc, pos, data };
}
