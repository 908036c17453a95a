// Running the real `slipway` CLI as a user would, and copying the project elsewhere.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
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
