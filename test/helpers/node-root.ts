// Reading what a machine would run out of a root the real Ignition binary wrote: unit files,
// environment files, command lines. The only thing ever changed is file paths, which are moved
// into the root (the tests run several "machines" on one host); names, addresses, cluster
// settings, TLS settings and certificates are used exactly as rendered.
import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { join, posix } from "node:path";

const PATH_RE = /(^|[=,\s:])(\/(?:etc|var|opt|run)\/[^\s,"':]*)/g;

/**
 * An Exec*= line as systemd splits it into the program's arguments: words separated by spaces,
 * double or single quotes around a word (with \\, \" and \' inside), "%%" for "%" and "$$" for
 * "$" (test/hostile-input.test.ts holds this against systemd's own reading of the units).
 */
export function systemdWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let w = "";
    const q = line[i] === '"' || line[i] === "'" ? line[i] : undefined;
    if (q) i++;
    for (; i < line.length; i++) {
      const c = line[i] as string;
      if (q ? c === q : c === " " || c === "\t") break;
      if (c === "\\" && q) {
        w += line[++i] ?? "";
        continue;
      }
      if ((c === "%" || c === "$") && line[i + 1] === c) i++;
      w += c;
    }
    if (q) i++;
    words.push(w);
  }
  return words;
}

export class NodeRoot {
  constructor(readonly root: string) {}

  /** A machine path inside this root. */
  at(path: string): string {
    return join(this.root, path);
  }

  /**
   * A machine path inside this root with its symbolic links followed as the machine would: an
   * absolute link target is a machine path too (client-go's certificate links are absolute).
   */
  resolve(path: string): string {
    let p = path;
    for (let hops = 0; hops < 40; hops++) {
      const host = this.at(p);
      if (!lstatSync(host, { throwIfNoEntry: false })?.isSymbolicLink()) return host;
      const target = readlinkSync(host);
      p = target.startsWith("/") ? target : posix.join(posix.dirname(p), target);
    }
    throw new Error(`${path}: too many levels of symbolic links`);
  }

  /** Move every absolute /etc, /var, /opt or /run path in `value` into the root. */
  rewrite(value: string): string {
    return value.replace(PATH_RE, (_, lead: string, path: string) => `${lead}${this.at(path)}`);
  }

  read(path: string): string {
    return readFileSync(this.at(path), "utf8");
  }

  /** KEY=value lines of an EnvironmentFile / --env-file, as written. */
  envFile(path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of this.read(path).split("\n")) {
      const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
      if (m) out[m[1] as string] = m[2] as string;
    }
    return out;
  }

  /** A unit's [Service] settings: its environment (files and Environment= lines) and ExecStart. */
  unit(name: string): { environment: Record<string, string>; environmentFiles: string[]; execStart: string[]; execStartPre: string[] } {
    const text = this.read(`/etc/systemd/system/${name}`).replace(/\\\n/g, " ");
    const environment: Record<string, string> = {};
    const environmentFiles: string[] = [];
    let execStart: string[] = [];
    const execStartPre: string[] = [];
    for (const line of text.split("\n")) {
      const [key, ...rest] = line.split("=");
      const value = rest.join("=").trim();
      if (key === "EnvironmentFile") environmentFiles.push(value.replace(/^-/, ""));
      else if (key === "Environment") {
        const assignment = /^"(.*)"$/.exec(value)?.[1] ?? value; // Environment="K=v with spaces"
        const i = assignment.indexOf("=");
        environment[assignment.slice(0, i)] = assignment.slice(i + 1);
      } else if (key === "ExecStart") execStart = systemdWords(value);
      else if (key === "ExecStartPre") execStartPre.push(value.replace(/^-/, ""));
    }
    return { environment, environmentFiles, execStart, execStartPre };
  }

  /** How systemd would start the unit: its command (moved into the root) and its environment. */
  unitCommand(name: string): { argv: string[]; env: Record<string, string> } {
    const [exe, ...args] = this.unit(name).execStart;
    return { argv: [this.at(exe as string), ...args.map((a) => this.rewrite(a))], env: this.serviceEnv(name) };
  }

  /** The environment systemd would give the unit, with paths moved into the root. */
  serviceEnv(name: string): Record<string, string> {
    const u = this.unit(name);
    const env: Record<string, string> = {};
    for (const f of u.environmentFiles) Object.assign(env, this.envFile(f));
    Object.assign(env, u.environment);
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k === "PATH" ? v : this.rewrite(v)]));
  }
}
