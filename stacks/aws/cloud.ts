// AWS, as the rest of Slipway needs to know it: its part of the cluster file, its rules (region,
// zones, instance types of the image's architecture), its address plan (a public and a private
// subnet per zone, pools as Auto Scaling groups), EC2's user_data limit and the devices volumes
// appear as. Read by every layer: imports only the model.
import { z } from "zod";
import type { CloudDescriptor } from "../../clusters/model/cloud";
import { backupSchema, clusterSchema, etcdSchema, gib, mastersSchema, workersSchema } from "../../clusters/model/fragments";
import { addressAt, parseCidr4, splitCidr } from "../../clusters/model/net";
import { type CloudPlan, OFFSETS, place } from "../../clusters/model/placement";
import { awsAddons } from "./cloud-addons";

const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region such as eu-central-1");

const awsZone = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, "must be an availability zone such as eu-central-1a")
  .describe("An availability zone of the region.");

const Aws = z
  .strictObject({
    region: awsRegion.describe("AWS region."),
    profile: z
      .string()
      .regex(/^[A-Za-z0-9_.+@-]{1,64}$/, "must be a profile name such as prod: letters, digits and _ . + @ -")
      .optional()
      .describe("Profile in ~/.aws/config. Omit it to use the AWS_* environment variables."),
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
      .optional()
      .describe("A given AMI id instead of the newest of the channel."),
  })
  .prefault({})
  .describe("The Flatcar AMI: the newest of a channel from Flatcar's official account, or a given AMI id.");

const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.medium")
  .describe("EC2 instance type.");

export const AwsCluster = clusterSchema(
  "aws",
  { aws: Aws, image: AwsImage },
  {
    etcd: etcdSchema({
      instanceType: instanceType.default("t3.small"),
      volumeSize: gib("EBS data volume per member").default(10),
      // to S3 (stacks/aws/backups.ts)
      backup: backupSchema(true),
    }).prefault({}),
    masters: mastersSchema({ instanceType: instanceType.default("t3.medium") }).prefault({}),
    // no maxCount: a pool is an Auto Scaling group, whose machines take addresses from their subnets
    workers: workersSchema({
      instanceType,
      logsVolumeSize: gib("EBS volume mounted at /var/log").optional(),
    }),
  },
);

export type AwsClusterConfig = z.output<typeof AwsCluster>;

/** The node network is cut into this many equal subnets (public, then private per zone). */
export const AWS_SPLIT = 8;

/** Availability zones the cluster spreads over. */
export function zoneCount(config: AwsClusterConfig): number {
  const z = config.aws.zones;
  return typeof z === "number" ? z : z.length;
}

// Graviton families carry a "g" after the generation: t4g, m7gd, c6gn, g5g (but not g5, g4dn)
const graviton = (t: string) => /^[a-z]+\d+[a-z]*g[a-z]*\./.test(t);

export const aws: CloudDescriptor<AwsClusterConfig, typeof AwsCluster> = {
  name: "aws",
  schema: AwsCluster,
  ownFields: ["aws", "instanceType"],

  rules(config, add) {
    if (config.addons.cloudController.roles.join() !== "member")
      add(["addons", "cloudController", "roles"], "are Keystone roles, for OpenStack; on AWS the masters' instance role is used");
    // eight equal subnets (public and private per zone) of at least /24 each
    const nodes = parseCidr4(config.network.nodes);
    const part = nodes.size / AWS_SPLIT;
    if (part < 256)
      add(
        ["network", "nodes"],
        `${nodes.text} is too small on AWS: it is cut into ${AWS_SPLIT} subnets (a public and a private one per zone) of at least /24 each; use /21 or larger`,
      );
    else {
      const zones = zoneCount(config);
      const perZone = config.workers.reduce((n, w) => n + Math.ceil(w.count / zones), 0);
      const room = part - OFFSETS.pools - 1;
      if (perZone > room)
        add(
          ["network", "nodes"],
          `${nodes.text} leaves ${room} worker addresses per zone subnet, but the pools need ${perZone} per zone; use a larger network`,
        );
    }

    // zones of the region
    const { aws: a } = config;
    if (Array.isArray(a.zones))
      for (const [i, z] of a.zones.entries()) {
        if (!z.startsWith(a.region)) add(["aws", "zones", i], `${z} is not a zone of region ${a.region}`);
        else if (a.zones.indexOf(z) !== i) add(["aws", "zones", i], `${z} is listed twice`);
      }

    // Flatcar's AMIs have no kubelet: without an AMI of the operator's, it must be downloaded
    if (config.kubernetes.binaries.source === "image" && !config.image.ami)
      add(
        ["kubernetes", "binaries", "source"],
        "is image, but Flatcar's AMIs carry no Kubernetes: remove it (machines then download the system extension at first boot) or set image.ami to an AMI with Kubernetes baked in",
      );

    // instance types of the image's architecture
    const check = (path: (string | number)[], t: string) => {
      if (graviton(t) && config.image.arch !== "arm64")
        add(path, `${t} is a Graviton (arm64) type, but image.arch is ${config.image.arch}; set image.arch: arm64`);
      if (!graviton(t) && config.image.arch === "arm64") add(path, `${t} is not an arm64 (Graviton) type, but image.arch is arm64`);
    };
    check(["etcd", "instanceType"], config.etcd.instanceType);
    check(["masters", "instanceType"], config.masters.instanceType);
    for (const [i, w] of config.workers.entries()) check(["workers", i, "instanceType"], w.instanceType);
  },

  // A public subnet per zone (the first three of eight) and, with privateSubnets, a private one
  // (the second four); machine i of a role goes to zone i mod zones. Pools are Auto Scaling
  // groups: their machines take addresses beyond the fixed block, which each subnet reserves.
  plan(config): CloudPlan {
    const zones = zoneCount(config);
    const parts = splitCidr(parseCidr4(config.network.nodes), AWS_SPLIT);
    const pub = parts.slice(0, zones);
    const priv = config.aws.privateSubnets ? parts.slice(AWS_SPLIT / 2, AWS_SPLIT / 2 + zones) : [];
    const subnets = [...pub, ...priv];
    const publicSubnets = pub.map((_, i) => i);
    const privateSubnets = priv.map((_, i) => zones + i);
    const inner = privateSubnets.length ? privateSubnets : publicSubnets;
    return {
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
        maxCount: w.count,
        ...(w.logsVolumeSize ? { logsVolumeSize: w.logsVolumeSize } : {}),
        blockOffset: OFFSETS.pools,
        blockSize: 0,
        nodes: [],
      })),
    };
  },

  // an Elastic IP per master; a network load balancer has a DNS name, not fixed addresses
  publicApiEndpoints: (config) => ({ ips: config.masters.count, names: config.aws.apiLoadBalancer ? 1 : 0 }),
  userData: { limit: 16384, counted: "raw", what: "EC2 accepts at most 16,384 bytes of user_data" },
  namesPoolMachines: true,
  // the logs volume of a machine of an Auto Scaling group: its id is not known in advance; it is
  // the second volume, /dev/xvdb on Xen instances, the second NVMe namespace on Nitro ones
  devices: { logs: "/dev/xvdb|/dev/nvme1n1", renderDefaults: { etcdData: "/dev/vdb", logs: "/dev/xvdb|/dev/nvme1n1" } },
  // Flatcar's AMIs carry no Kubernetes; a given image.ami may (source: image says so)
  bakedKubernetes: () => undefined,
  sysextArch: (config) => (config.image.arch === "arm64" ? "arm64" : "x86-64"),
  providerId: "aws:///<availability zone>/<instance id>",
  identityScript: "stacks/aws/node-identity.sh",
  metadataAddress: "169.254.169.254/32",
  // S3, with the etcd role's credentials (PutObject under the cluster's prefix only)
  backupStore: "s3",
  // EC2's private DNS names, ip-10-0-128-5[.eu-west-1.compute.internal] (ec2.internal in
  // us-east-1), whose address must lie in a worker subnet
  joinNames: (config, plan) => {
    const domain = config.aws.region === "us-east-1" ? "ec2\\.internal" : `${config.aws.region}\\.compute\\.internal`;
    const octet = "([0-9]{1,3})";
    return {
      names: `^ip-${octet}-${octet}-${octet}-${octet}(\\.${domain})?$`,
      subnets: plan.workerSubnets.map((i) => plan.subnets[i]?.text ?? ""),
    };
  },
  picture: (config) => {
    const z = config.aws.zones;
    return {
      network: "VPC",
      // zone names when the file gives them, else the region's first zones (chosen at apply time)
      zones: typeof z === "number" ? Array.from({ length: z }, (_, i) => `${config.aws.region} zone ${i + 1}`) : z,
      size: {
        etcd: config.etcd.instanceType,
        master: config.masters.instanceType,
        pools: Object.fromEntries(config.workers.map((w) => [w.name, w.instanceType])),
      },
      volume: (gib) => `EBS gp3 ${gib} GiB, encrypted`,
      publicAddress: "Elastic IP",
    };
  },
  // a profile names an entry of the shared config files; without one the provider reads AWS_*
  ci: (config) => ({
    region: config.aws.region,
    variables: config.aws.profile
      ? [
          { name: "AWS_CONFIG_FILE", what: `an AWS config file with the profile ${config.aws.profile}`, file: true },
          { name: "AWS_SHARED_CREDENTIALS_FILE", what: "its credentials file", file: true },
        ]
      : [
          { name: "AWS_ACCESS_KEY_ID", what: "an access key of the account" },
          { name: "AWS_SECRET_ACCESS_KEY", what: "its secret" },
        ],
  }),
  addons: awsAddons,
};
