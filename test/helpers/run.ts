// Running the real `slipway` CLI as a user would, and copying the project elsewhere.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./clusters";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function slipway(args: string[], opts: { cwd?: string; env?: Record<string, string>; root?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [join(opts.root ?? ROOT, "bin", "slipway.js"), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the project (sources only; node_modules linked) at `dir`, as another checkout would be. */
export function copyProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const entry of ["bin", "bootstrap", "clusters", "images", "stacks", "package.json", "tsconfig.json", "cdktf.json"])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** uid and gid of nobody: an operator without any rights */
export const NOBODY = 65534;

export interface AsyncRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** run as nobody (through setpriv), to see what a user without root gets */
  asNobody?: boolean;
  /** press Ctrl-C (SIGINT) once stderr matches this… */
  interruptWhen?: RegExp;
  /** …after this has looked at how things stand while the command runs */
  beforeInterrupt?: () => Promise<void> | void;
}

/**
 * The CLI without blocking this process (needed when the test itself serves what the CLI
 * fetches); optionally as nobody, or interrupted once its output shows it is under way.
 */
export function slipwayAsync(args: string[], opts: AsyncRunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, join(ROOT, "bin", "slipway.js"), ...args];
    const [file, ...rest] = opts.asNobody ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...command] : command;
    const child = spawn(file as string, rest, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pressed = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (opts.interruptWhen && !pressed && opts.interruptWhen.test(stderr)) {
        pressed = true;
        Promise.resolve(opts.beforeInterrupt?.()).then(
          () => child.kill("SIGINT"),
          (e) => {
            child.kill("SIGKILL");
            reject(e);
          },
        );
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (opts.interruptWhen && !pressed) return reject(new Error(`never saw ${opts.interruptWhen} before the command ended:\n${stderr}`));
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

/** The CLI on a pseudo-terminal (script(1)), as in an operator's shell: exit code and what it showed. */
export function slipwayOnTerminal(args: string[], opts: { cwd?: string } = {}): { code: number; output: string } {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, join(ROOT, "bin", "slipway.js"), ...args].map(quote).join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, COLUMNS: "120" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, output: r.stdout };
}

/** Every file and folder under `dir` with a hash of each file (links as their target): to see that nothing changed. */
export function snapshotTree(dir: string): Record<string, string> {
  const { readdirSync, readFileSync, readlinkSync, lstatSync } = require("node:fs") as typeof import("node:fs");
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${e}` : e;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) {
        out[`${r}/`] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(r);
      } else
        out[r] = `${(st.mode & 0o7777).toString(8)} ${createHash("sha256")
          .update(readFileSync(join(dir, r)))
          .digest("hex")}`;
    }
  };
  walk("");
  return out;
}

/** Each command line must fail with its exit code and a single line of error matching its pattern. */
export async function expectOneLineRefusals(cases: [string[], number, RegExp][], env: Record<string, string> = {}): Promise<void> {
  const { expect } = await import("vitest");
  for (const [args, code, message] of cases) {
    const r = await slipwayAsync(args, { env });
    expect(r.code, args.join(" ")).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
  }
}

/**
 * An ssh stand-in at `file` (what --ssh names): it drops ssh's `-o` options, takes `user@host`,
 * appends "host command" to `log`, and runs `body` (bash) with $host and the command in $@.
 */
export function sshStandIn(file: string, log: string, body: string): string {
  writeFileSync(file, `#!/bin/bash\nwhile [ "$1" = "-o" ]; do shift 2; done\nhost=\${1#*@}; shift\necho "$host $*" >> ${log}\n${body}`, {
    mode: 0o755,
  });
  return file;
}
