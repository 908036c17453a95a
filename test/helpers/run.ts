// Running the real `slipway` CLI as a user would, and copying the project elsewhere.
import { spawn, spawnSync } from "node:child_process";
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

/** The CLI without blocking this process (needed when the test itself serves what the CLI fetches). */
export function slipwayAsync(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "slipway.js"), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}
