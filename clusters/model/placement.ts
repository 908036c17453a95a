// The shape of the address plan, and how machines are placed in it. Every role and every pool
// owns a fixed block of offsets inside its subnet, so the same file always gives the same
// addresses and scaling one pool moves nothing else:
//
//   offset 0        network address
//   offset 1        gateway (the router)
//   offsets 2–15    DHCP allocation pool (OpenStack: Neutron's DHCP and router ports)
//   offsets 16–31   etcd members (at most 7)
//   offsets 32–63   masters (at most 16)
//   offsets 64–     worker pools (where each cloud's plan puts them)
//
// Which subnets there are and where each role goes is the cloud's policy (its descriptor's
// plan(), stacks/<cloud>/cloud.ts); plan.ts puts the two together.
import { addressAt, type Cidr4 } from "./net";

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
  /** the planned machines; empty where a pool is a group the cloud scales (AWS) */
  nodes: NodePlan[];
}

/** What a cloud's plan decides: subnets, zones, and where every machine goes. */
export interface CloudPlan {
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
}

export interface Plan extends CloudPlan {
  nodes: Cidr4;
  /** first service address: the `kubernetes` Service */
  apiServiceIp: string;
  /** tenth service address: cluster DNS */
  dnsServiceIp: string;
}

/** `count` machines of a role from offset `base`, machine i in zone i mod the zones given by `indices`. */
export function place(
  role: Role,
  name: string,
  count: number,
  base: number,
  subnets: Cidr4[],
  indices: number[],
  pool?: string,
): NodePlan[] {
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
