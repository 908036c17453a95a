// Who may talk to whom, once, for every cloud. stacks/<cloud>/security.ts turns these rules into
// that cloud's security groups. Least privilege: etcd, kubelet and VXLAN only ever from groups of
// cluster machines; SSH and the API only from the admin networks; the world only reaches 80/443
// on masters (ingress).
import { PORTS } from "../clusters/model/ports";
import type { ClusterConfig } from "../clusters/model/schema";

/** Security groups: every machine is in `cluster` plus the group of its role. */
export type Group = "cluster" | "etcd" | "master" | "worker";
export const GROUPS: readonly Group[] = ["cluster", "etcd", "master", "worker"];

/** One `T` per group, e.g. the cloud's security groups. */
export function perGroup<T>(make: (g: Group) => T): Record<Group, T> {
  return { cluster: make("cluster"), etcd: make("etcd"), master: make("master"), worker: make("worker") };
}

export type Source = { group: Group } | { cidr: string };

export interface Rule {
  /** the group the rule admits traffic into */
  to: Group;
  protocol: "tcp" | "udp" | "icmp";
  /** inclusive port range; absent for icmp */
  ports?: readonly [number, number];
  from: Source;
  description: string;
}

const WORLD = ["0.0.0.0/0", "::/0"];

export function firewallRules(config: ClusterConfig): Rule[] {
  const one = (p: number) => [p, p] as const;
  const rules: Rule[] = [
    { to: "cluster", protocol: "icmp", from: { group: "cluster" }, description: "ICMP between cluster machines (path MTU, ping)" },
    {
      to: "cluster",
      protocol: "udp",
      ports: one(PORTS.vxlan),
      from: { group: "cluster" },
      description: "flannel VXLAN between cluster machines",
    },
    {
      to: "cluster",
      protocol: "tcp",
      ports: one(PORTS.kubelet),
      from: { group: "cluster" },
      description: "kubelet API from cluster machines",
    },
    {
      to: "etcd",
      protocol: "tcp",
      ports: one(PORTS.etcdClient),
      from: { group: "cluster" },
      description: "etcd clients: the etcd proxy on every machine",
    },
    { to: "etcd", protocol: "tcp", ports: one(PORTS.etcdPeer), from: { group: "etcd" }, description: "etcd peer traffic between members" },
    {
      to: "master",
      protocol: "tcp",
      ports: one(PORTS.apiserver),
      from: { group: "cluster" },
      description: "Kubernetes API from the local API load balancer on every machine",
    },
  ];
  // Prometheus scrapes node-exporter on every node's host network; flannel masquerades a pod's
  // traffic to a node address as its own node's, so the source is a cluster machine
  if (config.addons.monitoring.enabled)
    rules.push({
      to: "cluster",
      protocol: "tcp",
      ports: one(PORTS.nodeExporter),
      from: { group: "cluster" },
      description: "node-exporter metrics from Prometheus (addons.monitoring)",
    });
  for (const cidr of config.adminCidrs) {
    rules.push({ to: "cluster", protocol: "tcp", ports: one(PORTS.ssh), from: { cidr }, description: `SSH from admin network ${cidr}` });
    rules.push({
      to: "master",
      protocol: "tcp",
      ports: one(PORTS.apiserver),
      from: { cidr },
      description: `Kubernetes API from admin network ${cidr}`,
    });
  }
  for (const cidr of WORLD)
    for (const port of [PORTS.http, PORTS.https])
      rules.push({ to: "master", protocol: "tcp", ports: one(port), from: { cidr }, description: `ingress ${port} from anywhere` });
  return rules;
}

/** Which groups a machine of `role` belongs to. */
export function groupsOf(role: "etcd" | "master" | "worker"): Group[] {
  return ["cluster", role];
}

/** A stable, readable id for a rule, used as the construct id (so rules never renumber). */
export function ruleId(r: Rule): string {
  const ports = r.ports ? (r.ports[0] === r.ports[1] ? `${r.ports[0]}` : `${r.ports[0]}-${r.ports[1]}`) : "all";
  // one id per network: IPv4's dots and slash become "_"; IPv6 keeps every ":" apart ("a::b" and
  // "a:b::" would otherwise meet), "." of a mapped address becomes "p", and the last "_" is the slash
  const from =
    "group" in r.from
      ? r.from.group
      : r.from.cidr.includes(":")
        ? r.from.cidr.replace(/:/g, "_").replace(/\./g, "p").replace("/", "_")
        : r.from.cidr.replace(/[^0-9]+/g, "_");
  return `${r.to}_${r.protocol}_${ports}_from_${from}`;
}

/**
 * The id an IPv6 rule had before ids kept every ":" apart (it collapsed runs of them, so
 * "a::b" and "a:b::" could meet). Stacks declare the move, so Terraform renames the rule in
 * state instead of replacing it. Undefined where nothing moved.
 */
export function formerRuleId(r: Rule): string | undefined {
  if ("group" in r.from || !r.from.cidr.includes(":")) return undefined;
  const ports = r.ports ? (r.ports[0] === r.ports[1] ? `${r.ports[0]}` : `${r.ports[0]}-${r.ports[1]}`) : "all";
  const old = `${r.to}_${r.protocol}_${ports}_from_${r.from.cidr.replace(/[^0-9a-fA-F]+/g, "_")}`;
  return old === ruleId(r) ? undefined : old;
}
