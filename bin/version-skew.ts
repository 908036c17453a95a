// Kubernetes' version-skew policy (kubernetes.io/releases/version-skew-policy), as `slipway roll`
// keeps it when the cluster file names another Kubernetes version than the machines run. What
// the machines run is read from the Node objects: a master's kubelet is its control plane's
// version (a machine is replaced whole, kubelet and static pods together), a worker's kubelet
// its own. The rules, in minor versions:
//   - the control plane goes first, one minor at a time: a master may be rolled to at most one
//     minor above the oldest master (API servers of an HA control plane are within one minor),
//     never below the newest (Kubernetes does not support downgrading the control plane);
//   - a kubelet is never newer than any API server, and at most three minors older: a pool may
//     be rolled to no minor above the oldest master nor more than three below the newest, and
//     the masters may not move on while a worker would fall more than three minors behind.
import type { Cluster } from "../clusters/model/load";

export interface RunningNode {
  name: string;
  /** status.nodeInfo.kubeletVersion, e.g. v1.34.2 */
  kubelet: string;
}

type Version = { major: number; minor: number; text: string };

function parse(v: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]), text: v } : undefined;
}

/** minors from a to b (b - a), across majors as if each had 100 minors (Kubernetes has one major) */
const minors = (a: Version, b: Version) => (b.major - a.major) * 100 + (b.minor - a.minor);
const short = (v: Version) => `${v.major}.${v.minor}`;

/**
 * What rolling `role` to `target` would break, given the cluster's running nodes; empty when the
 * roll keeps the policy. `masters` are the names of the control-plane machines.
 */
export function skewProblems(role: "master" | "pool", target: string, nodes: RunningNode[], masters: string[]): string[] {
  const t = parse(target);
  if (!t) return [`the file's kubernetes.version ${target} is not a version`];
  const parsed = nodes.map((n) => ({ ...n, v: parse(n.kubelet) }));
  const unknown = parsed.filter((n) => !n.v).map((n) => `${n.name} (${n.kubelet || "no version"})`);
  if (unknown.length) return [`cannot read the kubelet version of ${unknown.join(", ")}`];
  const known = parsed as (RunningNode & { v: Version })[];
  const cp = known.filter((n) => masters.includes(n.name));
  const workers = known.filter((n) => !masters.includes(n.name));
  if (cp.length === 0) return ["no master's Node is registered: the control plane's version is unknown"];
  // the first (in the API's order) of the oldest and of the newest masters
  const oldest = cp.reduce((o, n) => (minors(n.v, o.v) > 0 ? n : o));
  const newest = cp.reduce((o, n) => (minors(o.v, n.v) > 0 ? n : o));
  const problems: string[] = [];
  if (role === "master") {
    if (minors(oldest.v, t) > 1)
      problems.push(
        `${short(t)} skips a minor version: ${oldest.name} runs ${oldest.kubelet}; upgrade the control plane one minor at a time (to ${oldest.v.major}.${oldest.v.minor + 1} first)`,
      );
    if (minors(newest.v, t) < 0)
      problems.push(
        `${target} is older than ${newest.name}'s ${newest.kubelet}: Kubernetes does not support downgrading the control plane`,
      );
    const behind = workers.filter((w) => minors(w.v, t) > 3);
    if (behind.length)
      problems.push(
        `kubelets would be more than three minors behind ${short(t)}: ${behind.map((w) => `${w.name} (${w.kubelet})`).join(", ")}; roll their pools to a newer version first`,
      );
  } else {
    if (minors(oldest.v, t) > 0)
      problems.push(
        `a kubelet of ${short(t)} would be newer than ${oldest.name}'s API server (${oldest.kubelet}): roll the masters to ${short(t)} first`,
      );
    if (minors(t, newest.v) > 3)
      problems.push(`a kubelet of ${short(t)} would be more than three minors behind ${newest.name}'s API server (${newest.kubelet})`);
  }
  return problems;
}

/** The running nodes from the API, and what rolling `role` of `cluster` to its file's version would break. */
export async function checkSkew(
  cluster: Cluster,
  role: "master" | "pool",
  kube: import("./kube-client").KubeClient,
): Promise<{ problems: string[]; running: string }> {
  const list = (await kube.must("GET", "/api/v1/nodes")) as {
    items?: { metadata?: { name?: string }; status?: { nodeInfo?: { kubeletVersion?: string } } }[];
  };
  const nodes = (list.items ?? []).map((n) => ({ name: n.metadata?.name ?? "?", kubelet: n.status?.nodeInfo?.kubeletVersion ?? "" }));
  const masters = cluster.plan.masters.map((m) => m.name);
  const versions = [...new Set(nodes.filter((n) => masters.includes(n.name)).map((n) => n.kubelet))].sort();
  return {
    problems: skewProblems(role, cluster.config.kubernetes.version, nodes, masters),
    running: `masters run ${versions.join(", ") || "?"}; the file says ${cluster.config.kubernetes.version}`,
  };
}
