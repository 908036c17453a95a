// The address plan: which machine gets which fixed address, derived only from the cluster file.
// Same file → same addresses, and scaling one pool moves nothing else, because every role and
// every pool owns a fixed block of offsets inside its subnet:
//
//   offset 0        network address
//   offset 1        gateway (the router)
//   offsets 2–15    DHCP allocation pool (OpenStack: Neutron's DHCP and router ports)
//   offsets 16–31   etcd members (at most 7)
//   offsets 32–63   masters (at most 16)
//   offsets 64–     worker pools in file order, each `maxCount` addresses (OpenStack)
//
// OpenStack: one subnet, the node network itself. AWS: the node network is cut into eight equal
// subnets — a public one per zone (the first three) and, with privateSubnets, a private one per
// zone (the second four) — and machine i of a role goes to zone i mod zones. Workers on AWS are
// Auto Scaling groups: they take addresses from their subnets beyond the fixed block, which each
// subnet reserves (stacks/aws/network.ts).
import { addressAt, type Cidr4, ipFromNumber, parseCidr4, splitCidr } from "./net";
import type { ClusterConfig } from "./schema";

export type Role = "etcd" | "master" | "worker";

export const OFFSETS = { gateway: 1, dhcpFirst: 2, dhcpLast: 15, etcd: 16, masters: 32, pools: 64 } as const;

export interface NodePlan {
  role: Role;
  /** machine and host name: <cluster>-etcd-0, <cluster>-master-1, <cluster>-<pool>-2 */
  name: string;
  index: number;
  /** worker pool name (workers only) */
  pool?: string;
  ip: string;
  /** index into Plan.subnets */
  subnet: number;
  /** availability zone index (AWS; 0 on OpenStack) */
  zone: number;
}

export interface PoolPlan {
  name: string;
  count: number;
  maxCount: number;
  logsVolumeSize?: number;
  /** first offset of the pool's block (OpenStack) */
  blockOffset: number;
  /** addresses the block holds (OpenStack) */
  blockSize: number;
  /** the planned machines; empty on AWS, where a pool is an Auto Scaling group */
  nodes: NodePlan[];
}

export interface Plan {
  nodes: Cidr4;
  /** availability zones (1 on OpenStack) */
  zones: number;
  /** subnets: OpenStack the node network; AWS public per zone, then private per zone */
  subnets: Cidr4[];
  /** indices into `subnets` of the public subnets, one per zone */
  publicSubnets: number[];
  /** indices into `subnets` of the private subnets, one per zone (AWS with privateSubnets) */
  privateSubnets: number[];
  /** indices into `subnets` where each zone's workers go */
  workerSubnets: number[];
  gateway: string[];
  dhcp: { start: string; end: string }[];
  etcd: NodePlan[];
  masters: NodePlan[];
  pools: PoolPlan[];
  /** first service address: the `kubernetes` Service */
  apiServiceIp: string;
  /** tenth service address: cluster DNS */
  dnsServiceIp: string;
}

/** Availability zones the cluster spreads over. */
export function zoneCount(config: ClusterConfig): number {
  if (config.cloud !== "aws") return 1;
  const z = config.aws.zones;
  return typeof z === "number" ? z : z.length;
}

/** On AWS the node network is cut into this many equal subnets (public, then private per zone). */
export const AWS_SPLIT = 8;

function place(role: Role, name: string, count: number, base: number, subnets: Cidr4[], indices: number[], pool?: string): NodePlan[] {
  const n = indices.length;
  return Array.from({ length: count }, (_, i) => {
    const zone = i % n;
    const subnet = indices[zone] as number;
    return {
      role,
      name: `${name}-${i}`,
      index: i,
      ip: addressAt(subnets[subnet] as Cidr4, base + Math.floor(i / n)),
      subnet,
      zone,
      ...(pool ? { pool } : {}),
    };
  });
}

/** Each pool's block of offsets (OpenStack), and how many offsets the plan uses in the subnet. */
export function layout(config: ClusterConfig) {
  let next: number = OFFSETS.pools;
  const blocks = config.workers.map((w) => {
    const block = { name: w.name, offset: next, size: w.maxCount };
    next += w.maxCount;
    return block;
  });
  // +1: the last address of a subnet is its broadcast address
  return { blocks, offsetsUsed: next + 1 };
}

export function planAddresses(config: ClusterConfig): Plan {
  const nodes = parseCidr4(config.network.nodes);
  const services = parseCidr4(config.network.services);
  const zones = zoneCount(config);
  const common = { apiServiceIp: ipFromNumber(services.first + 1), dnsServiceIp: ipFromNumber(services.first + 10) };

  if (config.cloud === "aws") {
    const parts = splitCidr(nodes, AWS_SPLIT);
    const pub = parts.slice(0, zones);
    const priv = config.aws.privateSubnets ? parts.slice(AWS_SPLIT / 2, AWS_SPLIT / 2 + zones) : [];
    const subnets = [...pub, ...priv];
    const publicSubnets = pub.map((_, i) => i);
    const privateSubnets = priv.map((_, i) => zones + i);
    const inner = privateSubnets.length ? privateSubnets : publicSubnets;
    return {
      nodes,
      zones,
      subnets,
      publicSubnets,
      privateSubnets,
      workerSubnets: inner,
      gateway: subnets.map((s) => addressAt(s, OFFSETS.gateway)),
      dhcp: [],
      etcd: place("etcd", `${config.name}-etcd`, config.etcd.count, OFFSETS.etcd, subnets, inner),
      masters: place("master", `${config.name}-master`, config.masters.count, OFFSETS.masters, subnets, publicSubnets),
      pools: config.workers.map((w) => ({
        name: w.name,
        count: w.count,
        maxCount: w.maxCount,
        ...(w.logsVolumeSize ? { logsVolumeSize: w.logsVolumeSize } : {}),
        blockOffset: OFFSETS.pools,
        blockSize: 0,
        nodes: [],
      })),
      ...common,
    };
  }

  const { blocks } = layout(config);
  const subnets = [nodes];
  return {
    nodes,
    zones,
    subnets,
    publicSubnets: [0],
    privateSubnets: [],
    workerSubnets: [0],
    gateway: [addressAt(nodes, OFFSETS.gateway)],
    dhcp: [{ start: addressAt(nodes, OFFSETS.dhcpFirst), end: addressAt(nodes, OFFSETS.dhcpLast) }],
    etcd: place("etcd", `${config.name}-etcd`, config.etcd.count, OFFSETS.etcd, subnets, [0]),
    masters: place("master", `${config.name}-master`, config.masters.count, OFFSETS.masters, subnets, [0]),
    pools: config.workers.map((w, i) => {
      const block = blocks[i] as { offset: number; size: number };
      return {
        name: w.name,
        count: w.count,
        maxCount: w.maxCount,
        ...(w.logsVolumeSize ? { logsVolumeSize: w.logsVolumeSize } : {}),
        blockOffset: block.offset,
        blockSize: block.size,
        nodes: place("worker", `${config.name}-${w.name}`, w.count, block.offset, subnets, [0], w.name),
      };
    }),
    ...common,
  };
}
