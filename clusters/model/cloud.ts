// What a cloud is to Slipway: everything shared code needs to know about it, in one typed
// descriptor per cloud (stacks/<cloud>/cloud.ts), registered in clusters/model/clouds.ts. Shared
// code asks the descriptor and never tests `cloud === …`; a cloud whose descriptor lacks any of
// this is refused by the compiler.
//
// Descriptors are read by every layer (validate, node configs, stacks), so they import only the
// model — never cdktf or a provider package. The cloud's stack itself is registered separately
// (stacks/registry.ts).
import type { z } from "zod";
import type { AddonSecret, ChartPin } from "./addons";
import type { CloudPlan } from "./placement";

/** An image an addon's chart pulls at its default values (for `slipway images`). */
export interface ChartImage {
  name: string;
  runs: string;
  ref: string;
}

/** One of the cloud's own addons: its chart, the values Slipway sets, the images it pulls. */
export interface CloudAddon<Config> {
  chart: ChartPin;
  values(config: Config): Record<string, unknown>;
  images(config: Config): ChartImage[];
}

/** The cloud glue (bootstrap/addons/cloud.ts): its controller manager and its block storage. */
export interface CloudAddons<Config> {
  cloudController: CloudAddon<Config>;
  storage: CloudAddon<Config> & {
    /** the CSI driver's name, and the StorageClasses' base name ("cinder", "gp3") and parameters */
    provisioner: string;
    classBase: string;
    parameters(config: Config): Record<string, string>;
  };
  /** the Secrets (kube-system) the glue reads, each data key filled with a credential Terraform makes */
  secrets(config: Config): { name: string; data: Record<string, AddonSecret> }[];
}

export type RuleSink = (path: (string | number)[], message: string) => void;

/** Where a volume the stack attaches shows up on a machine. */
export interface VolumeDevices {
  /**
   * the logs volume of a pool machine; where the cloud knows no volume id in advance (a machine
   * of an Auto Scaling group) the device paths it may appear at, separated by "|"
   */
  logs: string;
  /** what `slipway render` assumes when not told (--data-device / --logs-device) */
  renderDefaults: { etcdData: string; logs: string };
}

export interface CloudDescriptor<Config, Schema extends z.ZodType = z.ZodType> {
  /** the value of `cloud:` */
  name: Config extends { cloud: infer C } ? C : never;
  /** the whole cluster file for this cloud: the common fragments and the cloud's own fields */
  schema: Schema;
  /** field names only this cloud's files have, for "it belongs to cloud: …" hints */
  ownFields: readonly string[];
  /** cross-field rules only this cloud has (capacity of its subnets, its image, its zones) */
  rules(config: Config, add: RuleSink): void;
  /** the address-plan policy: subnets, zones, where each role and pool goes */
  plan(config: Config): CloudPlan;
  /** how many public addresses and names (known only at apply time) the API answers on */
  publicApiEndpoints(config: Config): { ips: number; names: number };
  /** the user_data limit and how the cloud counts it */
  userData: {
    limit: number;
    counted: "raw" | "base64";
    what: string;
    /** what to do about a config over the limit, when no config is served from elsewhere */
    remedy?: string;
  };
  /** whether machines of a worker pool are named by the cloud (an Auto Scaling group) rather than planned */
  namesPoolMachines: boolean;
  devices: VolumeDevices;
  /** the Kubernetes version the selected image says it carries (baked in), if the file tells */
  bakedKubernetes(config: Config): string | undefined;
  /** the machines' CPU architecture, as the system extensions name it */
  sysextArch(config: Config): "x86-64" | "arm64";
  /** the kubelet's --provider-id as the cloud controller manager expects it (for the README and tests) */
  providerId: string;
  /**
   * the script (a path in the repository) that writes PROVIDER_ID and NODE_IP for this machine to
   * /run/slipway/node-identity.env at boot, from the cloud's metadata
   */
  identityScript: string;
  /** the instance metadata service (pods must not reach it: user_data holds secrets) */
  metadataAddress: string;
  /** the object store the etcd backups go to (bootstrap/scripts/etcd-backup.sh has a case for each) */
  backupStore: "swift" | "s3";
  /**
   * the names machines of a worker pool register with, as an extended regular expression (its
   * groups 1-4 the address, when `subnets` is given: the name carries it), for the approver of
   * joining machines' certificates — never matching a master's or another pool's name
   */
  joinNames(config: Config, plan: CloudPlan, pool: string): { names: string; subnets?: string[] };
  /** how the cloud's parts are called, for `slipway diagram` */
  picture(config: Config): CloudPicture;
  /** what a CI pipeline (`slipway ci`) groups the cluster by, and the credentials its provider reads */
  ci(config: Config): { region: string; variables: CiVariable[] };
  /** its cloud controller manager and CSI driver, as addons */
  addons: CloudAddons<Config>;
}

/** A CI variable a pipeline's plan and apply jobs need (never a value: only its name and purpose). */
export interface CiVariable {
  name: string;
  what: string;
  /** a file variable (its value is written to a file whose path the variable then holds) */
  file?: boolean;
}

/** The cloud's words for what a diagram of the cluster shows. */
export interface CloudPicture {
  /** the network and what it is called: "Neutron network", "VPC" */
  network: string;
  /** availability zone labels, one per zone of the plan */
  zones: string[];
  /** the machine size of etcd members, masters and each pool: a flavor, an instance type */
  size: { etcd: string; master: string; pools: Record<string, string> };
  /** a member's data volume, a pool's logs volume of `gib`: "Cinder volume 10 GiB" */
  volume(gib: number): string;
  /** a master's public address: "floating IP", "Elastic IP" */
  publicAddress: string;
}
