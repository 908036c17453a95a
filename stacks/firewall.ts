// Who may talk to whom, once, for every cloud. stacks/<cloud>/security.ts turns these rules into
// that cloud's security groups. Least privilege: etcd, kubelet and VXLAN only ever from groups of
// cluster machines; SSH and the API only from the admin networks; the world only reaches 80/443
// on masters (ingress).
import type { ClusterConfig } from "./model/schema";

/** Security groups: every machine is in `cluster` plus the group of its role. */
export type Group = "cluster" | "etcd" | "master" | "worker";
export const GROUPS: readonly Group[] = ["cluster", "etcd", "master", "worker"];

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

export const PORTS = {
  ssh: 22,
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  kubelet: 10250,
  vxlan: 8472,
  http: 80,
  https: 443,
} as const;

/** Ports that must never be reachable from outside the cluster's own groups. */
export const INTERNAL_PORTS: readonly number[] = [PORTS.etcdClient, PORTS.etcdPeer, PORTS.kubelet, PORTS.vxlan];

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
  const from = "group" in r.from ? r.from.group : r.from.cidr.replace(/[^0-9a-fA-F]+/g, "_");
  return `${r.to}_${r.protocol}_${ports}_from_${from}`;
}
