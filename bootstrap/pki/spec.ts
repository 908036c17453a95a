// The cluster's certificates and keys, described once. stacks/pki.ts issues them with Terraform's
// tls provider (keys live only in Terraform state); bootstrap/pki/local.ts issues the same ones into
// a directory for `slipway render`. Parts refer to them by name. All keys are ECDSA P-256.
//
// etcd CA signs
//   etcd-member-<i>           server + peer certificate of member i (its address, name, localhost)
//   etcd-proxy-client-<g>     what node group g's etcd proxy presents to the members; no Common
//                             Name (etcd's grpc-proxy refuses a client certificate that has one)
//   etcd-proxy-server-<g>     what the proxy serves on 127.0.0.1:2379
//   etcd-node-client-<g>      what node services (flannel, register_node) present to the proxy
//   apiserver-etcd-client     what the API servers present to the members (etcd user kube-apiserver)
//   etcd-root                 etcd's root user, on the members only (pki/etcd-users.ts)
//   etcd-backup               (self-signed, key agreement) what etcd snapshots are encrypted to; its
//                             key never leaves Terraform state or the local PKI
//   etcd-metrics-client       what Prometheus presents to the members for /metrics (addons.monitoring
//                             only); its name is no etcd user, so it reads nothing else
// kubernetes CA (its key is on masters: the controller-manager signs kubelet CSRs) signs
//   admin                     day-to-day administrator (slipway:cluster-admins → cluster-admin)
//   super-admin               break-glass administrator (system:masters), an output only
// front-proxy CA: the aggregation layer's (its key is on masters too)
// service-account: a key pair that signs service account tokens
// Each master issues the rest itself from these CAs (masterCerts, scripts/kube-certs.sh): its API
// server certificate and the control plane's client certificates — renewed there, never in
// user_data.
//
// A node group is "etcd", "master" or "pool-<name>": every machine of a group shares its etcd
// client certificates (a worker pool boots one config for all its machines).
import type { Cluster } from "../../clusters/model/load";
import { dnsNames } from "../../clusters/model/names";

export type Usage = "server_auth" | "client_auth";

export interface CertSpec {
  name: string;
  /**
   * "ca": self-signed CA; "leaf": signed by `ca`; "keypair": a key without a certificate;
   * "recipient": a self-signed certificate others encrypt to (key agreement only)
   */
  kind: "ca" | "leaf" | "keypair" | "recipient";
  ca?: string;
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  dnsNames: string[];
  ipAddresses: string[];
  usages: Usage[];
  /**
   * "ca": valid as long as a CA (pki.caValidityDays), for a certificate that reaches the cluster
   * once (a Secret the masters apply) and so would never be renewed there; default
   * pki.certValidityDays
   */
  lifetime?: "ca";
}

export type NodeGroup = "etcd" | "master" | `pool-${string}`;

export function nodeGroups(cluster: Cluster): NodeGroup[] {
  return ["etcd", "master", ...cluster.plan.pools.map((p) => `pool-${p.name}` as const)];
}

export const ETCD_CA = "etcd-ca";
export const KUBE_CA = "kubernetes-ca";
export const FRONT_PROXY_CA = "front-proxy-ca";
export const SERVICE_ACCOUNT = "service-account";
export const ADMIN = "admin";
export const SUPER_ADMIN = "super-admin";
/** the group of the day-to-day admin certificate, bound to cluster-admin by kube-bootstrap */
export const CLUSTER_ADMINS = "slipway:cluster-admins";
export const etcdMember = (i: number) => `etcd-member-${i}`;
export const proxyClient = (g: NodeGroup) => `etcd-proxy-client-${g}`;
export const proxyServer = (g: NodeGroup) => `etcd-proxy-server-${g}`;
export const nodeClient = (g: NodeGroup) => `etcd-node-client-${g}`;
/** etcd's root user, by certificate: the members' own (users and roles, membership changes) */
export const ETCD_ROOT = "etcd-root";
/**
 * What etcd backups are encrypted to (CMS, ECDH + AES-256-GCM): the machines hold only the
 * certificate; the key stays in Terraform state (or the local PKI) for `slipway etcd restore`
 */
export const ETCD_BACKUP = "etcd-backup";
/** Prometheus's etcd client certificate: /metrics over mutual TLS, no etcd user of that name */
export const ETCD_METRICS_CLIENT = "etcd-metrics-client";

const leaf = (name: string, ca: string, s: Partial<CertSpec> & Pick<CertSpec, "usages">): CertSpec => ({
  name,
  kind: "leaf",
  ca,
  dnsNames: [],
  ipAddresses: [],
  ...s,
});
const caSpec = (name: string, commonName: string): CertSpec => ({
  name,
  kind: "ca",
  commonName,
  organization: "slipway",
  dnsNames: [],
  ipAddresses: [],
  usages: [],
});

export function certSpecs(cluster: Cluster): CertSpec[] {
  const { config, plan } = cluster;
  const name = config.name;
  const specs: CertSpec[] = [caSpec(ETCD_CA, `${name} etcd CA`)];
  for (const m of plan.etcd)
    specs.push(
      leaf(etcdMember(m.index), ETCD_CA, {
        commonName: m.name,
        organization: "slipway:etcd-members",
        // peers check each other's certificate against the connecting address
        dnsNames: [m.name, "localhost"],
        ipAddresses: [m.ip, "127.0.0.1"],
        usages: ["server_auth", "client_auth"],
      }),
    );
  for (const g of nodeGroups(cluster))
    specs.push(
      leaf(proxyClient(g), ETCD_CA, { organization: "slipway:etcd-proxy", organizationalUnit: g, usages: ["client_auth"] }),
      leaf(proxyServer(g), ETCD_CA, {
        commonName: "etcd-proxy",
        organization: "slipway:etcd-proxy",
        organizationalUnit: g,
        dnsNames: ["localhost"],
        ipAddresses: ["127.0.0.1"],
        usages: ["server_auth"],
      }),
      leaf(nodeClient(g), ETCD_CA, { commonName: `node:${g}`, organization: "slipway:nodes", usages: ["client_auth"] }),
    );
  specs.push(
    // its Common Name is its etcd user (pki/etcd-users.ts)
    leaf("apiserver-etcd-client", ETCD_CA, { commonName: "kube-apiserver", organization: "slipway:apiservers", usages: ["client_auth"] }),
    leaf(ETCD_ROOT, ETCD_CA, { commonName: "root", organization: "slipway:etcd-members", usages: ["client_auth"] }),
  );
  if (config.etcd.backup.enabled)
    specs.push({
      name: ETCD_BACKUP,
      kind: "recipient",
      commonName: `${name} etcd backups`,
      organization: "slipway",
      dnsNames: [],
      ipAddresses: [],
      usages: [],
    });
  if (config.addons.monitoring.enabled)
    specs.push(
      // it reads etcd's metrics and nothing else, and lives in a Secret applied once: the CA's lifetime
      leaf(ETCD_METRICS_CLIENT, ETCD_CA, {
        commonName: "etcd-metrics",
        organization: "slipway:monitoring",
        usages: ["client_auth"],
        lifetime: "ca",
      }),
    );

  specs.push(caSpec(KUBE_CA, `${name} kubernetes CA`), caSpec(FRONT_PROXY_CA, `${name} front-proxy CA`));
  specs.push(
    // day-to-day administration: a group bound to cluster-admin (revocable by deleting the binding)
    leaf(ADMIN, KUBE_CA, { commonName: "slipway-admin", organization: CLUSTER_ADMINS, usages: ["client_auth"] }),
    // break-glass: system:masters bypasses RBAC and cannot be revoked short of a new CA; a
    // sensitive output only (masters issue their own for their bootstrap work)
    leaf(SUPER_ADMIN, KUBE_CA, { commonName: "slipway-super-admin", organization: "system:masters", usages: ["client_auth"] }),
    { name: SERVICE_ACCOUNT, kind: "keypair", dnsNames: [], ipAddresses: [], usages: [] },
  );
  return specs;
}

/** A certificate a master issues itself from a CA it holds (scripts/kube-certs.sh). */
export interface MasterCert {
  /** <file>.crt / <file>.key in /etc/kubernetes/pki; "kubelet": the kubelet's first client certificate */
  file: string;
  /** the CA's file name (its .crt and .key are on the master) */
  ca: "ca" | "front-proxy-ca";
  /** as openssl -subj takes it: most significant first */
  subject: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** the API's apply-time public addresses and names are added to the alternative names */
  publicEndpoints?: boolean;
  usage: "serverAuth" | "clientAuth";
}

/** What master `node` issues itself: its serving certificate and every control-plane client's. */
export function masterCerts(cluster: Cluster, node: { name: string; ip: string }): MasterCert[] {
  const { config, plan } = cluster;
  const domain = config.kubernetes.clusterDomain;
  const api = dnsNames(config)?.api;
  const client = (file: string, subject: string, ca: MasterCert["ca"] = "ca"): MasterCert => ({
    file,
    ca,
    subject,
    dnsNames: [],
    ipAddresses: [],
    usage: "clientAuth",
  });
  return [
    {
      file: "apiserver",
      ca: "ca",
      subject: "/CN=kube-apiserver",
      dnsNames: [
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        `kubernetes.default.svc.${domain}`,
        "localhost",
        node.name,
        ...(api ? [api] : []),
      ],
      ipAddresses: [node.ip, "127.0.0.1", plan.apiServiceIp],
      publicEndpoints: true,
      usage: "serverAuth",
    },
    client("apiserver-kubelet-client", "/CN=kube-apiserver-kubelet-client"),
    client("controller-manager", "/CN=system:kube-controller-manager"),
    client("scheduler", "/CN=system:kube-scheduler"),
    client(SUPER_ADMIN, "/O=system:masters/CN=slipway-super-admin"),
    client("front-proxy-client", "/CN=front-proxy-client", "front-proxy-ca"),
    client("kubelet", `/O=system:nodes/CN=system:node:${node.name}`),
  ];
}

/** The group a node target belongs to. */
export function groupOf(target: { role: "etcd" | "master" } | { role: "worker"; pool: string }): NodeGroup {
  return target.role === "worker" ? `pool-${target.pool}` : target.role;
}

export type PemKind = "cert" | "key" | "public";

/**
 * Upper bound of a PEM's length, for the user_data budget. A P-256 certificate's DER is about 370
 * bytes of fixed structure (version, serial, algorithms, validity, public key, extensions,
 * signature); we allow 440. Each subject or issuer attribute adds its length and 11 bytes, each DNS
 * name its length and 2, each IP address 6 (4 bytes in DER). PEM: base64 in 64-character lines
 * between BEGIN/END lines. Keys: SEC1 or PKCS#8, under 250; public keys under 200.
 * test/userdata.test.ts holds this against every certificate Slipway issues.
 */
export function pemBound(spec: CertSpec, kind: PemKind, issuer?: CertSpec): number {
  if (kind === "key") return 300;
  if (kind === "public") return 200;
  const attrs = (s: CertSpec | undefined) =>
    s ? [s.commonName, s.organization, s.organizationalUnit].filter((x): x is string => Boolean(x)) : [];
  const der =
    440 +
    [...attrs(spec), ...attrs(issuer)].reduce((n, a) => n + a.length + 11, 0) +
    spec.dnsNames.reduce((n, d) => n + d.length + 2, 0) +
    6 * spec.ipAddresses.length;
  const b64 = 4 * Math.ceil(der / 3);
  return b64 + Math.ceil(b64 / 64) + 64;
}
