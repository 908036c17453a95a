// Evaluates the Terraform template strings Slipway synthesizes for user_data, for tests: literal
// text with `$${`/`%%{` escapes and `${ expression }` interpolations, where expressions use only
// string literals, numbers, lists, references, a parenthesised division and the functions join,
// replace, urlencode, base64decode, base64encode, base64gzip, sha256, sha512, substr, format (%s, %d),
// floor, jsonencode (of a string), trimprefix and trimsuffix; string literals may interpolate.
// Anything else is an error, so a change in what synthesis emits cannot slip past unevaluated.
// (Where the real terraform binary exists, test/userdata.test.ts also evaluates with it.)
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

type Value = string | number | Value[];

export function evalTemplate(template: string, resolve: (reference: string) => string): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      out += `${template[i]}{`;
      i += 3;
    } else if (template.startsWith("${", i)) {
      const p = new Parser(template, i + 2, resolve);
      const v = p.expr();
      p.skipSpace();
      if (template[p.pos] !== "}") throw new Error(`expected } at ${p.pos}: ${template.slice(p.pos, p.pos + 40)}`);
      if (Array.isArray(v)) throw new Error("interpolation of a list");
      out += String(v);
      i = p.pos + 1;
    } else if (template.startsWith("%{", i)) {
      throw new Error(`template directive at ${i}: not expected in Slipway's output`);
    } else {
      out += template[i];
      i++;
    }
  }
  return out;
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  join: ([sep, list]) => {
    if (typeof sep !== "string" || !Array.isArray(list)) throw new Error("join(string, list)");
    return list.map((x) => (typeof x === "string" ? x : "")).join(sep);
  },
  base64decode: ([s]) => Buffer.from(s as string, "base64").toString("utf8"),
  base64encode: ([s]) => Buffer.from(s as string, "utf8").toString("base64"),
  // Terraform's urlencode is Go's url.QueryEscape: unreserved characters stay, space becomes "+"
  urlencode: ([s]) =>
    [...Buffer.from(s as string, "utf8")]
      .map((b) =>
        /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : b === 0x20
            ? "+"
            : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
      )
      .join(""),
  replace: ([s, from, to]) => (s as string).split(from as string).join(to as string),
  base64gzip: ([s]) => gzipSync(Buffer.from(s as string, "utf8")).toString("base64"),
  sha256: ([s]) => createHash("sha256").update(String(s), "utf8").digest("hex"),
  sha512: ([s]) => createHash("sha512").update(String(s), "utf8").digest("hex"),
  substr: ([s, offset, length]) => String(s).substr(Number(offset), Number(length)),
  floor: ([n]) => Math.floor(Number(n)),
  // Terraform's regex with a pattern without groups: the first match, an error when there is none
  // (RE2 and JavaScript agree on the anchored character classes Slipway uses)
  regex: ([pattern, s]) => {
    const m = new RegExp(String(pattern)).exec(String(s));
    if (!m) throw new Error(`regex: pattern did not match any part of the given string (${String(pattern)})`);
    return m[0];
  },
  // of a string, as Terraform's: JSON with <, > and & escaped as \u003c, \u003e, \u0026 (Go's encoder)
  jsonencode: ([s]) => {
    if (typeof s !== "string") throw new Error("jsonencode of a non-string is not expected");
    return JSON.stringify(s)
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029");
  },
  trimprefix: ([s, p]) => (String(s).startsWith(String(p)) ? String(s).slice(String(p).length) : String(s)),
  trimsuffix: ([s, p]) => (String(s).endsWith(String(p)) ? String(s).slice(0, String(s).length - String(p).length) : String(s)),
  format: ([spec, ...args]) => {
    let i = 0;
    return String(spec).replace(/%([sd%])/g, (_, c: string) => {
      if (c === "%") return "%";
      const a = args[i++];
      if (c === "d" && !Number.isInteger(Number(a))) throw new Error(`format %d of ${a}`);
      return String(a);
    });
  },
};

class Parser {
  constructor(
    readonly src: string,
    public pos: number,
    readonly resolve: (reference: string) => string,
  ) {}

  skipSpace() {
    while (/\s/.test(this.src[this.pos] ?? "")) this.pos++;
  }

  expr(): Value {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === '"') return this.string();
    if (c === "[") return this.list("[", "]");
    if (c === "(") {
      // (a / b): the only arithmetic synthesis emits
      this.pos++;
      const a = this.expr();
      this.skipSpace();
      if (this.src[this.pos] !== "/") throw new Error(`expected / at ${this.pos}`);
      this.pos++;
      const b = this.expr();
      this.skipSpace();
      if (this.src[this.pos++] !== ")") throw new Error("expected )");
      return Number(a) / Number(b);
    }
    const num = /^[0-9]+/.exec(this.src.slice(this.pos));
    if (num) {
      this.pos += num[0].length;
      return Number(num[0]);
    }
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.src.slice(this.pos));
    if (!m) throw new Error(`unexpected ${JSON.stringify(this.src.slice(this.pos, this.pos + 20))}`);
    const name = m[0];
    if (this.src[this.pos + name.length] === "(") {
      this.pos += name.length;
      const fn = FUNCTIONS[name];
      if (!fn) throw new Error(`function ${name} is not one Slipway's user_data should use`);
      return fn(this.list("(", ")"));
    }
    return this.reference();
  }

  string(): string {
    let s = "";
    this.pos++; // opening quote
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) throw new Error("unterminated string");
      if (c === '"') {
        this.pos++;
        return s;
      }
      if (c === "\\") {
        const e = this.src[this.pos + 1];
        s += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : (e ?? "");
        this.pos += 2;
      } else if (this.src.startsWith("$${", this.pos)) {
        s += "${";
        this.pos += 3;
      } else if (this.src.startsWith("${", this.pos)) {
        // a template inside a string literal: "[Global]\nauth-url=${local.keystone_url}…"
        this.pos += 2;
        const v = this.expr();
        this.skipSpace();
        if (this.src[this.pos++] !== "}") throw new Error(`expected } at ${this.pos - 1}`);
        if (Array.isArray(v)) throw new Error("interpolation of a list");
        s += String(v);
      } else {
        s += c;
        this.pos++;
      }
    }
  }

  list(open: string, close: string): Value[] {
    if (this.src[this.pos] !== open) throw new Error(`expected ${open}`);
    this.pos++;
    const items: Value[] = [];
    this.skipSpace();
    if (this.src[this.pos] === close) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.expr());
      this.skipSpace();
      const c = this.src[this.pos++];
      if (c === close) return items;
      if (c !== ",") throw new Error(`expected , or ${close}`);
    }
  }

  reference(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[[^\]]*\])*/.exec(this.src.slice(this.pos));
    if (!m) throw new Error("bad reference");
    this.pos += m[0].length;
    return this.resolve(m[0]);
  }
}
