// The cluster file, as a schema. This is the single definition of what a cluster file may say:
// the TypeScript types, the defaults, the validation messages and the JSON Schema (`slipway schema`)
// all come from here. Cross-field rules (CIDR overlap, subnet capacity, unique pool names) live in
// rules.ts because they need the whole file at once.
//
// Deliberately small dependency surface: this module must load fast, because `slipway validate`
// loads nothing else (no cdktf, no provider packages).
import { z } from "zod";
import { cidrProblem, isIp } from "./net";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelMessage = "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
const label = (max: number) => z.string().max(max, `must be at most ${max} characters`).regex(DNS1123_LABEL, labelMessage);

const cidrOf = (v4only: boolean, what: string) =>
  z.string().superRefine((s, ctx) => {
    const problem = cidrProblem(s, v4only);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem} (${what})` });
  });
const cidr = (what: string) => cidrOf(false, what);
const ipv4Cidr = (what: string) => cidrOf(true, what);

const etcdCount = () =>
  z
    .literal([1, 3, 5, 7], {
      error: (iss) =>
        `must be 1, 3, 5 or 7, not ${JSON.stringify(iss.input)}: an odd number of members keeps a quorum (n members tolerate (n-1)/2 lost members)`,
    })
    .default(3)
    .describe("Members; an odd number: n members tolerate (n-1)/2 lost members.");
const gib = (what: string) => z.number().int().min(1, "must be at least 1 GiB").max(16384).describe(`${what}, in GiB`);

// ---------------------------------------------------------------------------------------------
// Parts every cloud shares

const Ssh = z
  .strictObject({
    authorizedKeys: z
      .array(
        z
          .string()
          .regex(
            /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/,
            "must be an OpenSSH public key line such as 'ssh-ed25519 AAAA... user@host'",
          ),
      )
      .default([])
      .describe("Public keys installed for the `core` user on every node. The first one also becomes the cloud key pair."),
  })
  .describe("SSH access to the nodes (from adminCidrs only).");

const Binaries = z
  .strictObject({
    source: z
      .enum(["image", "sysext"])
      .default("image")
      .describe(
        "image: kubelet and kubectl are baked into the image (`slipway image build --bake-kubernetes`), nothing is downloaded. " +
          "sysext: machines download Flatcar's Kubernetes system extension at first boot and verify it (skipped when the image has it).",
      ),
    url: z.url().optional().describe("Where the system extension comes from. Default: Flatcar's sysext-bakery release of the version."),
    sha512: z
      .string()
      .regex(/^[0-9a-f]{128}$/, "must be the 128 hexadecimal digits of a SHA-512")
      .optional()
      .describe("SHA-512 of the system extension; required with source: sysext (`sha512sum kubernetes-v….raw`)."),
  })
  .describe("Where kubelet and kubectl come from.");

const Kubernetes = z.strictObject({
  binaries: Binaries.prefault({}),
  version: z
    .string()
    .regex(/^1\.(3[0-9]|[4-9][0-9])\.\d+$/, "must be a Kubernetes release such as 1.36.1 (1.30 or newer)")
    .default("1.36.1")
    .describe("Kubernetes release for kubelet and the control plane."),
  clusterDomain: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a DNS domain such as cluster.local")
    .default("cluster.local")
    .describe("DNS domain of Services inside the cluster."),
});

const Network = z.strictObject({
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
});

const Pki = z
  .strictObject({
    caValidityDays: z.number().int().min(30).max(36500).default(3650).describe("Lifetime of the cluster CAs."),
    certValidityDays: z.number().int().min(1).max(3650).default(365).describe("Lifetime of node and component certificates."),
    renewBeforeDays: z
      .number()
      .int()
      .min(0)
      .max(3649)
      .default(30)
      .describe("Terraform re-issues a certificate this many days before it expires (on the next apply)."),
  })
  .describe("Certificate lifetimes. All keys are ECDSA P-256 and live only in Terraform state.");

const Dns = z
  .strictObject({
    provider: z.literal("cloudflare").default("cloudflare"),
    zone: z
      .string()
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a DNS zone such as example.com")
      .describe("The Cloudflare zone (domain) the records are created in."),
    zoneId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "must be the 32-character hexadecimal Cloudflare zone id")
      .describe("Cloudflare zone id (dashboard → Overview → API). The API token comes from CLOUDFLARE_API_TOKEN."),
    api: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a record name relative to the zone, such as api.demo")
      .optional()
      .describe("Record for the Kubernetes API, relative to the zone. Default: api.<name>."),
    ingress: z
      .string()
      .regex(/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a record name relative to the zone, such as *.apps.demo")
      .optional()
      .describe("Wildcard record for applications served by the masters' ingress. Default: *.<name>."),
    ttl: z.number().int().min(60).max(86400).default(60).describe("TTL of the A records, in seconds."),
  })
  .describe("Publish every master address as A records in Cloudflare, so clients fail over between masters.");

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/"), {
    message: "must be relative to the project, so synthesis is the same in every checkout",
  });

const Backend = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("local"),
      path: relativePath.optional().describe("State file, relative to the project. Default: terraform.<name>.tfstate."),
    }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().min(3),
      key: z.string().min(1).optional().describe("Object key of the state. Default: slipway/<name>.tfstate."),
      region: z.string().min(1),
      endpoint: z.url().optional().describe("S3-compatible endpoint (for example Ceph RGW or Swift's S3 API)."),
      useLockfile: z.boolean().default(true).describe("S3-native state locking (Terraform 1.10+)."),
    }),
    z.strictObject({
      type: z.literal("http"),
      address: z.url(),
      lockAddress: z.url().optional(),
      unlockAddress: z.url().optional(),
    }),
  ])
  .describe("Terraform state backend. Credentials always come from the environment, never from this file.");

// ---------------------------------------------------------------------------------------------
// OpenStack

const OpenstackImage = z
  .strictObject({
    name: z.string().min(1).optional().describe("Glance image name (the most recent image with this name)."),
    id: z
      .string()
      .regex(/^[0-9a-f-]{36}$/, "must be a Glance image UUID")
      .optional()
      .describe("Glance image id."),
    properties: z
      .record(z.string().regex(/^[A-Za-z0-9_:.-]+$/, "must be a Glance property name"), z.string())
      .optional()
      .describe("Select the most recent image having all of these properties (as set by `slipway image upload`)."),
  })
  .default({ name: "flatcar-stable" })
  .describe("The Flatcar image, by exactly one of name, id or properties.");

const Openstack = z
  .strictObject({
    cloud: z
      .string()
      .min(1)
      .optional()
      .describe("Entry in clouds.yaml to authenticate with. Omit it to use the OS_* environment variables."),
    region: z.string().min(1).optional().describe("OpenStack region. Default: the clouds.yaml entry's or OS_REGION_NAME."),
    externalNetwork: z.string().min(1).default("public").describe("External network for the router and floating IPs."),
    dnsNameservers: z
      .array(z.string().refine((s) => isIp(s) && !s.includes(":"), { message: "must be an IPv4 address" }))
      .max(5)
      .default(["1.1.1.1", "9.9.9.9"])
      .describe("Resolvers the node subnet hands out."),
    serverGroupPolicy: z
      .enum(["anti-affinity", "soft-anti-affinity"])
      .default("anti-affinity")
      .describe("Nova server-group policy for masters and etcd members. Use soft-anti-affinity on clouds with few hypervisors."),
    availabilityZone: z.string().min(1).optional().describe("Nova and Cinder availability zone for every machine and volume."),
    volumeType: z.string().min(1).optional().describe("Cinder volume type for data and logs volumes."),
    apiLoadBalancer: z
      .strictObject({
        flavor: z.string().min(1).optional().describe("Octavia flavor name."),
      })
      .optional()
      .describe(
        "Put an Octavia load balancer (with a floating IP) in front of the masters' API. Not needed for availability: every node " +
          "already balances over all masters locally; use it for one stable public API address.",
      ),
  })
  .describe("OpenStack settings.");

const osFlavor = (def: string) => z.string().min(1).default(def).describe("Nova flavor name.");

const OpenstackEtcd = z
  .strictObject({
    count: etcdCount(),
    flavor: osFlavor("m1.small"),
    volumeSize: gib("Cinder data volume per member").default(10),
    preventDestroy: z
      .boolean()
      .default(true)
      .describe("Terraform refuses to delete the data volumes. Set false only for clusters you mean to throw away."),
  })
  .describe("The etcd tier: dedicated machines, each keeping its data on its own Cinder volume.");

const OpenstackMasters = z
  .strictObject({
    count: z.number().int().min(1).max(16).default(3).describe("Control-plane machines (3 for HA)."),
    flavor: osFlavor("m1.medium"),
  })
  .describe("Control-plane machines; they also serve ingress on 80/443.");

const OpenstackPool = z.strictObject({
  name: label(20).describe("Pool name; machines are named <cluster>-<pool>-<index>."),
  count: z.number().int().min(0).describe("Machines in the pool."),
  flavor: osFlavor("m1.large"),
  maxCount: z
    .number()
    .int()
    .min(1)
    .max(65536)
    .default(256)
    .describe("Addresses reserved for the pool, so scaling it never moves another pool's addresses."),
  logsVolumeSize: gib("Cinder volume mounted at /var/log on each machine").optional(),
});

const OpenstackCluster = z.strictObject({
  name: label(32).describe("Cluster name; prefixes every cloud resource."),
  cloud: z.literal("openstack"),
  openstack: Openstack.prefault({}),
  image: OpenstackImage,
  ssh: Ssh.prefault({}),
  adminCidrs: z
    .array(cidr("admin network"))
    .min(1, "needs at least one CIDR: SSH and the Kubernetes API are reachable only from these")
    .describe("Networks allowed to reach SSH and the Kubernetes API."),
  kubernetes: Kubernetes.prefault({}),
  network: Network.prefault({}),
  etcd: OpenstackEtcd.prefault({}),
  masters: OpenstackMasters.prefault({}),
  workers: z
    .array(OpenstackPool)
    .min(1, "needs at least one worker pool")
    .default([{ name: "general", count: 3, flavor: "m1.large", maxCount: 256 }])
    .describe("Worker pools."),
  dns: Dns.optional(),
  backend: Backend.prefault({ type: "local" }),
  pki: Pki.prefault({}),
});

// ---------------------------------------------------------------------------------------------
// AWS (the stack itself lives in stacks/aws/)

const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region such as eu-central-1");

const awsZone = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, "must be an availability zone such as eu-central-1a");

const Aws = z
  .strictObject({
    region: awsRegion.describe("AWS region."),
    profile: z.string().min(1).optional().describe("Profile in ~/.aws/config. Omit it to use the AWS_* environment variables."),
    zones: z
      .union(
        [
          z.number().int().min(1, "needs at least one availability zone").max(3, "allows at most 3 availability zones"),
          z.array(awsZone).min(1, "needs at least one availability zone").max(3, "allows at most 3 availability zones"),
        ],
        {
          error: (iss) =>
            `must be a number of zones (1 to 3) or a list of zone names such as [eu-central-1a, eu-central-1b], not ${JSON.stringify(iss.input)}`,
        },
      )
      .default(3)
      .describe("Availability zones to spread over: a count (the region's first zones) or their names."),
    privateSubnets: z
      .boolean()
      .default(false)
      .describe("Put etcd members and workers in private subnets behind a NAT gateway per zone (masters stay public)."),
    apiLoadBalancer: z
      .boolean()
      .default(false)
      .describe("Put a network load balancer in front of the API. Not needed for availability: every node balances over all masters."),
    rootVolumeSize: gib("Root volume of every machine").default(30),
  })
  .describe("AWS settings.");

const AwsImage = z
  .strictObject({
    channel: z.enum(["stable", "beta", "alpha", "lts"]).default("stable").describe("Flatcar release channel."),
    arch: z.enum(["amd64", "arm64"]).default("amd64").describe("CPU architecture of the machines (arm64 for Graviton instance types)."),
    ami: z
      .string()
      .regex(/^ami-[0-9a-f]{8,17}$/, "must be an AMI id such as ami-0123456789abcdef0")
      .optional(),
  })
  .prefault({})
  .describe("The Flatcar AMI: the newest of a channel from Flatcar's official account, or a given AMI id.");

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.medium");

const AwsCluster = z.strictObject({
  name: label(32).describe("Cluster name; prefixes every cloud resource."),
  cloud: z.literal("aws"),
  aws: Aws,
  image: AwsImage,
  ssh: Ssh.prefault({}),
  adminCidrs: z.array(cidr("admin network")).min(1, "needs at least one CIDR: SSH and the Kubernetes API are reachable only from these"),
  kubernetes: Kubernetes.prefault({}),
  network: Network.prefault({}),
  etcd: z
    .strictObject({
      count: etcdCount(),
      instanceType: instanceType.default("t3.small"),
      volumeSize: gib("EBS data volume per member").default(10),
      preventDestroy: z.boolean().default(true),
    })
    .prefault({}),
  masters: z
    .strictObject({
      count: z.number().int().min(1).max(16).default(3),
      instanceType: instanceType.default("t3.medium"),
    })
    .prefault({}),
  workers: z
    .array(
      z.strictObject({
        name: label(20),
        count: z.number().int().min(0),
        instanceType: instanceType,
        maxCount: z.number().int().min(1).max(65536).default(256),
        logsVolumeSize: gib("EBS volume mounted at /var/log").optional(),
      }),
    )
    .min(1, "needs at least one worker pool"),
  dns: Dns.optional(),
  backend: Backend.prefault({ type: "local" }),
  pki: Pki.prefault({}),
});

export const ClusterFile = z.discriminatedUnion("cloud", [OpenstackCluster, AwsCluster]);

export type ClusterConfig = z.output<typeof ClusterFile>;
export type OpenstackClusterConfig = Extract<ClusterConfig, { cloud: "openstack" }>;
export type AwsClusterConfig = Extract<ClusterConfig, { cloud: "aws" }>;
export type BackendConfig = ClusterConfig["backend"];
export type CloudName = ClusterConfig["cloud"];

/** Fields that only one cloud understands, to turn "unknown field" into a useful hint. */
export const CLOUD_ONLY_FIELDS: Record<string, CloudName> = {
  flavor: "openstack",
  openstack: "openstack",
  instanceType: "aws",
  aws: "aws",
};

/** The JSON Schema of the cluster file (input side: fields with defaults are optional). */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ClusterFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: "Slipway cluster file",
    description: "One Kubernetes cluster on Flatcar Container Linux, on OpenStack or AWS.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
