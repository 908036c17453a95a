// Run a master's kube-certs step on its Ignition-applied tree exactly as its unit runs it (bash,
// openssl, jq): what the machine does before its kubelet starts, and daily after.
import { spawnSync } from "node:child_process";
import type { NodeRoot } from "./node-root";

export function runKubeCerts(root: NodeRoot, unit = "kube-certs.service"): { stdout: string; stderr: string } {
  const { argv, env } = root.unitCommand(unit);
  const r = spawnSync(argv[0] as string, argv.slice(1), { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kube-certs failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
