// What a part needs to know about the machine it configures. The same parts serve both paths:
// `slipway render` fills NodeValues with real local values, synthesis with Terraform expressions.
import type { Cluster } from "../clusters/model/load";
import type { NodePlan, PoolPlan, Role } from "../clusters/model/plan";
import type { IgnitionBuilder, Text } from "./ignition/builder";
import type { NodeGroup, PemKind } from "./pki/spec";

/** Which machine: one etcd member or master, or any machine of a worker pool (one config per pool). */
export type NodeTarget = { role: "etcd"; index: number } | { role: "master"; index: number } | { role: "worker"; pool: string };

/** Values only known at apply time (or from a local PKI when rendering). */
export interface NodeValues {
  /** the machine's host name; absent when the cloud names the machine (AWS Auto Scaling groups) */
  hostname?: Text;
  /** a certificate or key of the cluster PKI, as PEM (names from pki/spec.ts) */
  pem(name: string, kind: PemKind): Text;
  /** the current bootstrap token of a worker pool (kube/join.ts): "<id>.<secret>", both [0-9a-f] */
  joinToken(pool: string): { id: Text; secret: Text };
  /** the seed every pool's tokens derive from (masters only) */
  joinSeed: Text;
  /** a node group's etcd password (pki/etcd-users.ts), 32 hex digits */
  etcdPassword(group: NodeGroup): Text;
  /** the seed every group's etcd password derives from (etcd members only: they create the users) */
  etcdSeed: Text;
  /** 32 random bytes, base64: the key the API servers encrypt Secrets in etcd with (masters only) */
  encryptionKey: Text;
  /** the API's public addresses and names, known at apply time (masters' serving certificates) */
  apiEndpoints: { ips: Text[]; names: Text[] };
  /**
   * a credential an addon needs in the cluster, JSON-escaped (masters only; bootstrap/addons/secrets.ts);
   * undefined when this path cannot know it (a cloud's, when rendering)
   */
  addonSecret(name: AddonSecret): Text | undefined;
  /** the id of a volume the stack attaches to this machine, or a /dev path */
  volume(purpose: "etcd-data" | "logs"): Text;
}

import type { AddonSecret } from "../clusters/model/addons";
export type { AddonSecret } from "../clusters/model/addons";

export interface NodeContext {
  cluster: Cluster;
  target: NodeTarget;
  role: Role;
  /** the node group whose certificates this machine carries */
  group: NodeGroup;
  /** the planned machine, for etcd members and masters (pool machines share one config) */
  node?: NodePlan;
  pool?: PoolPlan;
  values: NodeValues;
}

/** A part adds one concern (etcd member, proxy, flannel, …) to a node's config. */
export interface Part {
  name: string;
  apply(b: IgnitionBuilder, ctx: NodeContext): void;
}
