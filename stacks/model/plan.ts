// The address plan: which machine gets which fixed address, derived only from the cluster file.
// Same file → same addresses, and scaling one pool moves nothing else, because every role and
// every pool owns a fixed block of offsets inside the node subnet:
//
//   offset 0        network address
//   offset 1        gateway (the router)
//   offsets 2–15    DHCP allocation pool (Neutron's DHCP and router ports)
//   offsets 16–31   etcd members (at most 7)
//   offsets 32–63   masters (at most 16)
//   offsets 64–     worker pools in file order, each `maxCount` addresses
//
// With several subnets (one per availability zone on AWS) the same layout repeats in every subnet
// and machine i of a role goes to subnet i mod n, so members spread over zones.
import type { ClusterConfig } from "./schema";
import { addressAt, type Cidr4, ipFromNumber, parseCidr4, splitCidr } from "./net";

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
  /** index into Plan.subnets (the availability zone on AWS) */
  subnet: number;
}

export interface PoolPlan {
  name: string;
  count: number;
  maxCount: number;
  logsVolumeSize?: number;
  /** first offset of the pool's block in each subnet */
  blockOffset: number;
  /** addresses the block holds in each subnet */
  blockSize: number;
  nodes: NodePlan[];
}

export interface Plan {
  nodes: Cidr4;
  subnets: Cidr4[];
  gateway: string[];
  dhcp: { start: string; end: string }[];
  etcd: NodePlan[];
  masters: NodePlan[];
  pools: PoolPlan[];
  /** first service address: the `kubernetes` Service */
  apiServiceIp: string;
  /** tenth service address: cluster DNS */
  dnsServiceIp: string;
  /** offsets the plan uses in each subnet (for the capacity check) */
  offsetsUsed: number;
}

/** Number of node subnets: one per availability zone on AWS, one on OpenStack. */
export function subnetCount(_config: ClusterConfig): number {
  return 1;
}

function place(role: Role, name: string, count: number, base: number, subnets: Cidr4[], pool?: string): NodePlan[] {
  const n = subnets.length;
  return Array.from({ length: count }, (_, i) => {
    const subnet = i % n;
    const s = subnets[subnet] as Cidr4;
    return { role, name: `${name}-${i}`, index: i, ip: addressAt(s, base + Math.floor(i / n)), subnet, ...(pool ? { pool } : {}) };
  });
}

/** Offsets needed per subnet, and each pool's block. Pure arithmetic, used by the capacity rule. */
export function layout(config: ClusterConfig, nSubnets: number) {
  let next: number = OFFSETS.pools;
  const blocks = config.workers.map((w) => {
    const size = Math.ceil(w.maxCount / nSubnets);
    const block = { name: w.name, offset: next, size };
    next += size;
    return block;
  });
  // +1: the last address of a subnet is its broadcast address
  return { blocks, offsetsUsed: next + 1 };
}

export function planAddresses(config: ClusterConfig): Plan {
  const nodes = parseCidr4(config.network.nodes);
  const n = subnetCount(config);
  const subnets = n === 1 ? [nodes] : splitCidr(nodes, 2 ** Math.ceil(Math.log2(n))).slice(0, n);
  const { blocks, offsetsUsed } = layout(config, n);
  const services = parseCidr4(config.network.services);
  return {
    nodes,
    subnets,
    gateway: subnets.map((s) => addressAt(s, OFFSETS.gateway)),
    dhcp: subnets.map((s) => ({ start: addressAt(s, OFFSETS.dhcpFirst), end: addressAt(s, OFFSETS.dhcpLast) })),
    etcd: place("etcd", `${config.name}-etcd`, config.etcd.count, OFFSETS.etcd, subnets),
    masters: place("master", `${config.name}-master`, config.masters.count, OFFSETS.masters, subnets),
    pools: config.workers.map((w, i) => {
      const block = blocks[i] as { offset: number; size: number };
      return {
        name: w.name,
        count: w.count,
        maxCount: w.maxCount,
        ...(w.logsVolumeSize ? { logsVolumeSize: w.logsVolumeSize } : {}),
        blockOffset: block.offset,
        blockSize: block.size,
        nodes: place("worker", `${config.name}-${w.name}`, w.count, block.offset, subnets, w.name),
      };
    }),
    apiServiceIp: ipFromNumber(services.first + 1),
    dnsServiceIp: ipFromNumber(services.first + 10),
    offsetsUsed,
  };
}
