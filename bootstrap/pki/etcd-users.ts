// Who may touch what in etcd. With etcd's authentication on (scripts/etcd-auth.sh turns it on
// once the members have formed the cluster), a request is allowed only by its user's roles:
//
//   kube-apiserver   role kubernetes: /registry/ (the whole Kubernetes keyspace) and the
//                    compactor's compact_rev_key. Authenticated
//                    by its certificate (CN kube-apiserver); it talks to the members directly.
//   node-<group>     role slipway-nodes: /slipway/ (register_node, reboot locks, drains) and
//                    flannel's /coreos.com/network/. One user per node group (etcd, master,
//                    pool-<name>), authenticated by a password through the machine's etcd proxy
//                    (grpc-proxy passes the token on; its own certificate has no name, so
//                    nothing comes through it without one).
//   root             the etcd members' own, for the setup and for membership changes (a member
//                    whose volume is new rejoins with it), by certificate (CN root).
//
// So a worker's credentials reach neither Secrets nor any other Kubernetes object.
//
// Passwords are not stored anywhere but on the machines: each is derived from one secret seed
// (Terraform state, or the local PKI) as the first 32 hex digits of SHA-256("<seed>:etcd:<group>")
// — Terraform (sha256, format, substr), the members' setup (sha256sum) and `slipway render` agree.
import { createHash } from "node:crypto";
import type { NodeGroup } from "./spec";

/** flannel's keys (its --etcd-prefix) */
export const FLANNEL_PREFIX = "/coreos.com/network";

export const ETCD_APISERVER_USER = "kube-apiserver";
export const etcdNodeUser = (g: NodeGroup) => `node-${g}`;

/**
 * The roles, and the keys each may read and write: a prefix (ending in "/") or one exact key. The
 * API server's compactor keeps its revision in `compact_rev_key`, outside /registry/.
 */
export const ETCD_ROLES = {
  kubernetes: ["/registry/", "compact_rev_key"],
  "slipway-nodes": ["/slipway/", `${FLANNEL_PREFIX}/`],
} as const;

export function etcdPassword(seed: string, group: NodeGroup): string {
  return createHash("sha256").update(`${seed}:etcd:${group}`).digest("hex").slice(0, 32);
}

/**
 * What the members' etcd-auth step sets up (scripts/etcd-auth.sh), one line each:
 *   role <name> <prefix>...    user <name> <role> (by certificate)    nodes <role> <group>...
 */
export function etcdAuthConfig(groups: NodeGroup[]): string {
  return [
    ...Object.entries(ETCD_ROLES).map(([role, prefixes]) => `role ${role} ${prefixes.join(" ")}`),
    `user ${ETCD_APISERVER_USER} kubernetes`,
    `nodes slipway-nodes ${groups.join(" ")}`,
    "",
  ].join("\n");
}
