// The parts of a cluster file that every cloud shares, as schema fragments. Each cloud's schema
// (stacks/<cloud>/cloud.ts) is `clusterSchema(cloud, { its own fields })`: the common fields and
// their descriptions are written once, so the clouds cannot drift apart and every field carries
// its help for editors (the JSON Schema comes from here).
//
// Deliberately small dependency surface: this module must load fast, because `slipway validate`
// loads nothing else (no cdktf, no provider packages).
import { z } from "zod";
import { Addons } from "./addons";
import { CDKTF_MARKER, cidr, cloudName, dnsName, httpsUrl, ipv4Cidr, label, text } from "./grammar";
import { canonicalCidr } from "./net";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_RELEASES, kubernetesVersionProblem } from "./releases";

export { cidr, cloudName, dnsName, gib, httpsUrl, label, text } from "./grammar";

// ---------------------------------------------------------------------------------------------
// Access

const Ssh = z
  .strictObject({
    authorizedKeys: z
      .array(
        z
          .string()
          .regex(
            /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/,
            "must be an OpenSSH public key line such as 'ssh-ed25519 AAAA... user@host'",
          )
          .max(16384, "must be at most 16384 characters")
          .refine((s) => !CDKTF_MARKER.test(s), { message: "holds the sequence ${TfToken[, which the Terraform toolkit (cdktf) reserves" })
          .describe("One OpenSSH public key line: type, key and an optional comment."),
      )
      .default([])
      .describe("Public keys installed for the `core` user on every node. The first one also becomes the cloud key pair."),
  })
  .describe("SSH access to the nodes (from adminCidrs only).");

/**
 * Two security-group rules per admin network (SSH, API): 32 keep every group well inside the
 * clouds' default quotas (AWS: 60 rules per group; OpenStack: 100 rules per project).
 */
export const MAX_ADMIN_CIDRS = 32;

const adminCidrs = z
  .array(cidr("admin network").transform(canonicalCidr).describe("An IPv4 or IPv6 network, such as 203.0.113.0/24."))
  .min(1, "needs at least one CIDR: SSH and the Kubernetes API are reachable only from these")
  .max(
    MAX_ADMIN_CIDRS,
    `allows at most ${MAX_ADMIN_CIDRS} networks (each opens rules in security groups whose cloud quotas are small); aggregate them into larger networks`,
  )
  .describe("Networks allowed to reach SSH and the Kubernetes API.");

// ---------------------------------------------------------------------------------------------
// Kubernetes

const Binaries = z
  .strictObject({
    source: z
      .enum(["image", "sysext"])
      .optional()
      .describe(
        "image: kubelet and kubectl are baked into the image (`slipway image build --bake-kubernetes`), nothing is downloaded. " +
          "sysext: Ignition downloads Flatcar's Kubernetes system extension at first boot (verified by sha512 when given). " +
          "Default: image when the selected image says it carries kubernetes.version (OpenStack image.properties.slipway_kubernetes), else sysext.",
      ),
    url: httpsUrl("https://example.com/kubernetes-v1.36.1-x86-64.raw", "machines download it without credentials")
      .optional()
      .describe("Where the system extension comes from (https). Default: Flatcar's sysext-bakery release of the version."),
    sha512: z
      .string()
      .regex(/^[0-9a-f]{128}$/, "must be the 128 hexadecimal digits of a SHA-512")
      .optional()
      .describe(
        "SHA-512 of the system extension (`sha512sum kubernetes-v….raw`): Ignition refuses any other file. Required for a url other than the bakery's.",
      ),
  })
  .describe("Where kubelet and kubectl come from.");

const Kubernetes = z
  .strictObject({
    binaries: Binaries.prefault({}),
    version: z
      .string()
      .superRefine((v, ctx) => {
        const problem = kubernetesVersionProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .default(DEFAULT_KUBERNETES_VERSION)
      .describe(
        `Kubernetes release for kubelet and the control plane: ${KUBERNETES_RELEASES.map((r) => `${r.minor}.0–${r.minor}.${r.latestPatch}`).join(", ")}.`,
      ),
    clusterDomain: dnsName("cluster.local").default("cluster.local").describe("DNS domain of Services inside the cluster."),
    joinTokenDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe(
        "Each worker pool joins with a bootstrap token that changes every this many days and works for two such periods. " +
          "terraform apply puts the current one into new machines' configs: apply at least this often (a CI pipeline does), " +
          "or machines a cloud creates later from an old configuration (an Auto Scaling group replacing one) cannot join.",
      ),
    podSecurity: z
      .enum(["privileged", "baseline", "restricted"])
      .default("baseline")
      .describe(
        "Pod Security Standard the API server enforces in every namespace without a pod-security.kubernetes.io/enforce label " +
          "(kube-system exempt); it also warns and audits against restricted.",
      ),
    auditLogDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe("Days each API server keeps its audit log (/var/log/kubernetes/audit, rotated at 100 MB, at most 10 files)."),
  })
  .describe("The Kubernetes the cluster runs.");

const Network = z
  .strictObject({
    nodes: ipv4Cidr("node subnet").default("10.0.0.0/16").describe("Subnet the machines get their fixed addresses from."),
    pods: ipv4Cidr("pod network").default("10.244.0.0/16").describe("Pod network (flannel); must not overlap nodes or services."),
    services: ipv4Cidr("service network")
      .default("10.96.0.0/12")
      .describe("Service (ClusterIP) range; its first address is the kubernetes Service, the tenth is cluster DNS."),
    podSubnetPrefix: z
      .number()
      .int()
      .min(16)
      .max(28)
      .default(24)
      .describe("Prefix length of the pod subnet each node gets from `pods` (flannel SubnetLen)."),
  })
  .describe("The cluster's three networks: machines, pods and Services.");

const Pki = z
  .strictObject({
    caValidityDays: z.number().int().min(30).max(36500).default(3650).describe("Lifetime of the cluster CAs."),
    certValidityDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(1095)
      .describe(
        "Lifetime of the certificates Terraform issues (etcd, control plane, the masters' first kubelet certificate). " +
          "Kubelets renew their own certificates; the others reach a machine only when it is replaced, hence three years by default.",
      ),
    renewBeforeDays: z
      .number()
      .int()
      .min(0)
      .max(3649)
      .default(30)
      .describe("Terraform re-issues a certificate this many days before it expires (on the next apply)."),
  })
  .describe("Certificate lifetimes. All keys are ECDSA P-256 and live only in Terraform state.");

// ---------------------------------------------------------------------------------------------
// DNS and state

const Dns = z
  .strictObject({
    provider: z.literal("cloudflare").default("cloudflare").describe("DNS provider; Cloudflare is the only one so far."),
    zone: dnsName("example.com", { zone: true }).describe("The Cloudflare zone (domain) the records are created in."),
    zoneId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "must be the 32-character hexadecimal Cloudflare zone id")
      .describe("Cloudflare zone id (dashboard → Overview → API). The API token comes from CLOUDFLARE_API_TOKEN."),
    api: dnsName("api.demo").optional().describe("Record for the Kubernetes API, relative to the zone. Default: api.<name>."),
    ingress: dnsName("*.apps.demo", { wildcard: true })
      .optional()
      .describe("Wildcard record for applications served by the masters' ingress. Default: *.<name>."),
    ttl: z.number().int().min(60).max(86400).default(60).describe("TTL of the A records, in seconds."),
  })
  .describe("Publish every master address as A records in Cloudflare, so clients fail over between masters.");

const relativePath = z
  .string()
  .max(1024)
  .refine((p) => !p.startsWith("/"), { message: "must be relative to the stack folder, so synthesis is the same in every checkout" })
  .refine((p) => /^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(p), { message: "must be a path of letters, digits and . _ - /" });

const HTTP_CREDENTIALS = "give them in TF_HTTP_USERNAME and TF_HTTP_PASSWORD";
const S3_CREDENTIALS = "give them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)";

const Backend = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("local").describe("A state file on this machine."),
        path: relativePath
          .optional()
          .describe("State file, relative to the stack folder where Terraform runs. Default: terraform.<name>.tfstate."),
      })
      .describe("Local state file (for trying things out: the state holds every key)."),
    z
      .strictObject({
        type: z.literal("s3").describe("An S3 bucket, AWS's or any S3-compatible store."),
        bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-'")
          .describe("Bucket holding the state."),
        key: text(1024).optional().describe("Object key of the state. Default: slipway/<name>.tfstate."),
        region: cloudName("eu-west-1").describe("Region of the bucket."),
        endpoint: httpsUrl("https://s3.example.com", S3_CREDENTIALS, { loopbackHttp: true })
          .optional()
          .describe("S3-compatible endpoint (for example Ceph RGW or Swift's S3 API)."),
        useLockfile: z.boolean().default(true).describe("S3-native state locking (Terraform 1.10+)."),
      })
      .describe("State in S3; credentials from the AWS_* variables."),
    z
      .strictObject({
        type: z.literal("http").describe("An HTTP state API such as GitLab's."),
        address: httpsUrl("https://gitlab.example.com/api/v4/projects/1/terraform/state/prod", HTTP_CREDENTIALS, {
          loopbackHttp: true,
        }).describe("URL of the state."),
        lockAddress: httpsUrl("https://…/lock", HTTP_CREDENTIALS, { loopbackHttp: true }).optional().describe("URL to lock the state."),
        unlockAddress: httpsUrl("https://…/lock", HTTP_CREDENTIALS, { loopbackHttp: true }).optional().describe("URL to unlock the state."),
      })
      .describe("State behind an HTTP API; credentials from TF_HTTP_USERNAME / TF_HTTP_PASSWORD."),
  ])
  .describe("Terraform state backend. Credentials always come from the environment, never from this file.");

// ---------------------------------------------------------------------------------------------
// Machines: what every cloud's etcd, masters and pools have; the cloud adds its machine size,
// volume sizes and what else its machines need

/** The etcd tier: `own` between the member count and preventDestroy (callers add `.prefault({})`: every field has a default). */
const backupSettings = z.strictObject({
  enabled: z.boolean().default(true).describe("Back the etcd tier up."),
  everyMinutes: z
    .number()
    .int()
    .min(5)
    .max(1440)
    // a calendar systemd can say: minutes dividing an hour, or whole hours dividing a day
    .refine((m) => (m < 60 && 60 % m === 0) || (m % 60 === 0 && 1440 % m === 0), {
      message: "must divide an hour (5, 6, 10, 12, 15, 20, 30) or be whole hours dividing a day (60, 120, 180, 240, 360, 480, 720, 1440)",
    })
    .default(15)
    .describe("Minutes between snapshots (the leader takes them); they fall on the hour, so hourly and daily copies are the slot's first."),
  keep: z
    .strictObject({
      recentHours: z.number().int().min(1).max(720).default(24).describe("How long every snapshot is kept, in hours."),
      hourlyDays: z.number().int().min(1).max(366).default(7).describe("How long the first snapshot of each hour is kept, in days."),
      dailyDays: z.number().int().min(1).max(3660).default(90).describe("How long the first snapshot of each day is kept, in days."),
    })
    .prefault({})
    .describe("Retention, by tier; the object store expires old snapshots itself (no cleanup runs on the machines)."),
});

/** etcd.backup: true/false or its settings, always read as the settings. */
export function backupSchema(on: boolean) {
  return z
    .union([z.boolean(), backupSettings])
    .default(on)
    .transform((v) => backupSettings.parse(typeof v === "boolean" ? { enabled: v } : v))
    .describe(
      "Snapshots of etcd, taken by the current leader, checked, compressed, encrypted to a key only Terraform state holds, and uploaded to the cloud's object store with tiered retention. true or false, or its settings.",
    );
}
export type BackupConfig = z.output<ReturnType<typeof backupSchema>>;

export function etcdSchema<Own extends z.ZodRawShape>(own: Own) {
  return z
    .strictObject({
      count: z
        .literal([1, 3, 5, 7], {
          error: (iss) =>
            `must be 1, 3, 5 or 7, not ${JSON.stringify(iss.input)}: an odd number of members keeps a quorum (n members tolerate (n-1)/2 lost members)`,
        })
        .default(3)
        .describe("Members; an odd number: n members tolerate (n-1)/2 lost members."),
      ...own,
      preventDestroy: z
        .boolean()
        .default(true)
        .describe("Terraform refuses to delete the data volumes. Set false only for clusters you mean to throw away."),
    })
    .describe("The etcd tier: dedicated machines, each keeping its data on its own volume.");
}

/** The control plane: `own` after the count. */
export function mastersSchema<Own extends z.ZodRawShape>(own: Own) {
  return z
    .strictObject({ count: z.number().int().min(1).max(16).default(3).describe("Control-plane machines (3 for HA)."), ...own })
    .describe("Control-plane machines; they also serve ingress on 80/443.");
}

/** The worker pools: each a name, a count and `own`; at least one pool. */
export function workersSchema<Own extends z.ZodRawShape>(own: Own) {
  return z
    .array(
      z
        .strictObject({
          name: label(20).describe("Pool name; machines are named <cluster>-<pool>-<index>."),
          count: z.number().int().min(0).describe("Machines in the pool."),
          ...own,
        })
        .describe("A worker pool: machines of one size, scaled together."),
    )
    .min(1, "needs at least one worker pool")
    .describe("Worker pools.");
}

/**
 * A cluster file for `cloud`: the common fields, with the cloud's own `head` (its section and
 * image) after `cloud:` and its `machines` (etcd, masters, workers) after `network:`, in the
 * order a file is read.
 */
export function clusterSchema<Cloud extends string, Head extends z.ZodRawShape, Machines extends z.ZodRawShape>(
  cloud: Cloud,
  head: Head,
  machines: Machines,
) {
  return z.strictObject({
    name: label(32).describe("Cluster name; prefixes every cloud resource."),
    cloud: z.literal(cloud).describe("The cloud the cluster runs on."),
    ...head,
    ssh: Ssh.prefault({}),
    adminCidrs,
    kubernetes: Kubernetes.prefault({}),
    network: Network.prefault({}),
    ...machines,
    dns: Dns.optional(),
    addons: Addons.prefault({}),
    backend: Backend.prefault({ type: "local" }),
    pki: Pki.prefault({}),
  });
}
