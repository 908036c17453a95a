// Commands on the cluster's machines over ssh, as the operator reaches them (`--ssh "ssh -J
// core@bastion"`, split at spaces; never a shell line). Shared by `etcd restore` and `roll`.
import { spawnSync } from "node:child_process";
import { printable } from "../clusters/model/errors";
import { UsageError, UserError } from "./errors";

export interface Remote {
  /** the remote command's exit code; 255 is ssh's own failure (the machine was not reached) */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `input`: bytes for the command's standard input, or a file descriptor to read it from. */
export type RunRemote = (ip: string, command: string, input?: Buffer | number) => Remote;

export function sshRunner(sshCommand: string, user: string, timeoutMs = 600_000): RunRemote {
  const ssh = sshCommand.split(/\s+/).filter(Boolean);
  if (!ssh.length) throw new UsageError("--ssh must name the ssh command");
  if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new UsageError(`--user must be a user name, not ${printable(user)}`);
  return (ip, command, input) => {
    const r = spawnSync(ssh[0] as string, [...ssh.slice(1), "-o", "BatchMode=yes", `${user}@${ip}`, command], {
      input: typeof input === "number" ? undefined : input,
      stdio: [typeof input === "number" ? input : "pipe", "pipe", "pipe"],
      encoding: "utf8",
      timeout: timeoutMs,
    });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
      throw new UserError(`${printable(ssh[0] as string)}: no such command (--ssh)`);
    return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
}

/** Seconds from a command line option, bounded. */
export function seconds(option: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new UsageError(`${option} must be seconds (at most ${max}), not ${printable(value)}`);
  return Number(value);
}
