// Run a master's kube-certs step on its Ignition-applied tree exactly as its unit runs it (bash,
// openssl, jq): what the machine does before its kubelet starts, and daily after.
import { spawnSync } from "node:child_process";
import type { NodeRoot } from "./node-root";

export function runKubeCerts(root: NodeRoot, unit = "kube-certs.service"): { stdout: string; stderr: string } {
  const u = root.unit(unit);
  const r = spawnSync(root.at(u.execStart[0] as string), [], { env: root.serviceEnv(unit), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kube-certs failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
