// The cluster's certificates, described once. stacks/pki.ts issues them with Terraform's tls
// provider (keys live only in Terraform state); bootstrap/pki/local.ts issues the same ones into a
// directory for `slipway render`. Parts refer to them by name.
//
// All keys are ECDSA P-256. One etcd CA signs:
//   etcd-member-<i>          server + peer certificate of member i (its address, name, localhost)
//   etcd-proxy-client-<g>    what the etcd proxy of node group g presents to the members. No CN:
//                            etcd's grpc-proxy refuses a client certificate that has one.
//   etcd-proxy-server-<g>    what the proxy serves on 127.0.0.1:2379
//   etcd-node-client-<g>     what node services (flannel, register_node) present to the proxy
// A node group is "etcd", "master" or "pool-<name>": every machine of a group boots the same
// config (a worker pool needs one config for all its machines), so the group shares these.
import type { Cluster } from "../../stacks/model/load";

export type Usage = "server_auth" | "client_auth";

export interface CertSpec {
  name: string;
  /** signing CA's name; undefined for a CA */
  ca?: string;
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  dnsNames: string[];
  ipAddresses: string[];
  usages: Usage[];
}

export type NodeGroup = "etcd" | "master" | `pool-${string}`;

export function nodeGroups(cluster: Cluster): NodeGroup[] {
  return ["etcd", "master", ...cluster.plan.pools.map((p) => `pool-${p.name}` as const)];
}

export const ETCD_CA = "etcd-ca";
export const etcdMember = (i: number) => `etcd-member-${i}`;
export const proxyClient = (g: NodeGroup) => `etcd-proxy-client-${g}`;
export const proxyServer = (g: NodeGroup) => `etcd-proxy-server-${g}`;
export const nodeClient = (g: NodeGroup) => `etcd-node-client-${g}`;

export function certSpecs(cluster: Cluster): CertSpec[] {
  const name = cluster.config.name;
  const specs: CertSpec[] = [
    { name: ETCD_CA, commonName: `${name} etcd CA`, organization: "slipway", dnsNames: [], ipAddresses: [], usages: [] },
  ];
  for (const m of cluster.plan.etcd)
    specs.push({
      name: etcdMember(m.index),
      ca: ETCD_CA,
      commonName: m.name,
      organization: "slipway:etcd-members",
      // peers check each other's certificate against the connecting address
      dnsNames: [m.name, "localhost"],
      ipAddresses: [m.ip, "127.0.0.1"],
      usages: ["server_auth", "client_auth"],
    });
  for (const g of nodeGroups(cluster)) {
    specs.push(
      {
        name: proxyClient(g),
        ca: ETCD_CA,
        organization: "slipway:etcd-proxy",
        organizationalUnit: g,
        dnsNames: [],
        ipAddresses: [],
        usages: ["client_auth"],
      },
      {
        name: proxyServer(g),
        ca: ETCD_CA,
        commonName: "etcd-proxy",
        organization: "slipway:etcd-proxy",
        organizationalUnit: g,
        dnsNames: ["localhost"],
        ipAddresses: ["127.0.0.1"],
        usages: ["server_auth"],
      },
      {
        name: nodeClient(g),
        ca: ETCD_CA,
        commonName: `node:${g}`,
        organization: "slipway:nodes",
        dnsNames: [],
        ipAddresses: [],
        usages: ["client_auth"],
      },
    );
  }
  return specs;
}

/** The group a node target belongs to. */
export function groupOf(target: { role: "etcd" | "master" } | { role: "worker"; pool: string }): NodeGroup {
  return target.role === "worker" ? `pool-${target.pool}` : target.role;
}

/**
 * Upper bound of a PEM's length, for the user_data budget. A P-256 certificate's DER is at most
 * ~560 bytes of fixed structure (version, 20-byte serial, algorithms, validity, public key,
 * extensions, signature) plus its issuer's and its own names and SANs, each with a few bytes of
 * framing. PEM: base64, 64-character lines, BEGIN/END lines. Keys: SEC1 or PKCS#8, under 250.
 * test/userdata.test.ts holds this against every certificate Slipway issues.
 */
export function pemBound(spec: CertSpec, kind: "cert" | "key", issuer?: CertSpec): number {
  if (kind === "key") return 300;
  const names = (s: CertSpec | undefined) =>
    s ? [s.commonName ?? "", s.organization ?? "", s.organizationalUnit ?? ""].filter(Boolean) : [];
  const all = [...names(spec), ...names(issuer), ...spec.dnsNames, ...spec.ipAddresses];
  const der = 560 + all.reduce((n, s) => n + s.length + 12, 0);
  const b64 = 4 * Math.ceil(der / 3);
  return b64 + Math.ceil(b64 / 64) + 64;
}
