// The disk tools the builder drives (qemu-img, e2fsprogs, util-linux), run asynchronously so an
// interrupt can stop them and clean up. A missing tool or a failing one is one ImageError line
// naming the Debian package or the tool's own last words.
import { type ChildProcess, spawn } from "node:child_process";
import { onInterrupt } from "../clusters/model/interrupt";
import { ImageError } from "./errors";

const PACKAGES: Record<string, string> = {
  "qemu-img": "qemu-utils",
  debugfs: "e2fsprogs",
  dumpe2fs: "e2fsprogs",
  e2fsck: "e2fsprogs",
  resize2fs: "e2fsprogs",
  losetup: "mount",
  mount: "mount",
  umount: "mount",
  dd: "coreutils",
};

const running = new Set<ChildProcess>();

/** Stops whatever tool is running (on interrupt). */
export function killTools(): void {
  for (const c of running) c.kill("SIGTERM");
}
onInterrupt(killTools);

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs `cmd args`; rejects with an ImageError unless it exits with one of `ok` (default 0).
 * `what` says what it was doing, for the message.
 */
export function run(cmd: string, args: string[], what: string, opts: { ok?: number[] } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // no stdin: a tool that exits before reading it cannot fail us with EPIPE
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      running.delete(child);
      reject(
        new ImageError(
          e.code === "ENOENT"
            ? `${what}: ${cmd} is not installed${PACKAGES[cmd] ? ` (Debian/Ubuntu: apt-get install ${PACKAGES[cmd]})` : ""}`
            : `${what}: cannot run ${cmd}: ${e.message}`,
        ),
      );
    });
    child.on("close", (code, signal) => {
      running.delete(child);
      const c = code ?? 128;
      if ((opts.ok ?? [0]).includes(c)) return resolve({ stdout, stderr, code: c });
      const said = `${stderr}\n${stdout}`
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !/^(debugfs|e2fsck|resize2fs|dumpe2fs) \d/.test(l));
      reject(
        new ImageError(
          `${what}: ${cmd} ${signal ? `was stopped (${signal})` : `failed (exit ${c})`}${said.length ? `: ${said.slice(-2).join(" / ")}` : ""}`,
        ),
      );
    });
  });
}
