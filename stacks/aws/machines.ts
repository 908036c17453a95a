// What every AWS machine shares: IMDSv2 only, with a hop limit of 1 — a pod is one hop further
// away, so it cannot read the instance's credentials or its user_data (the kubelet's secrets) —
// an encrypted gp3 root volume, and ignoring later AMI and user_data changes, so a new Flatcar
// release or a changed node config never replaces a machine by surprise.
import { Instance } from "@cdktf/provider-aws/lib/instance";
import type { TerraformStack } from "cdktf";
import type { Cluster } from "../../clusters/model/load";
import { groupsOf } from "../firewall";
import type { NodePlan } from "../../clusters/model/plan";
import type { TerraformPki } from "../pki";
import type { UserData, UserDataBudget } from "../userdata";
import type { AwsClusterConfig } from "./cloud";
import type { ConfigStore } from "./configs";
import type { IamGroup, InstanceRoles } from "./iam";
import { type ClusterNetwork, subnetOf } from "./network";
import type { SecurityGroups } from "./security";
import { clusterTag } from "./iam";

export const METADATA_OPTIONS = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } as const;

export interface MachineContext {
  stack: TerraformStack;
  /** the cluster as the file says (node configs are built from it; they reach Terraform encoded) */
  cluster: Cluster<AwsClusterConfig>;
  /** the same settings with every string made literal for Terraform: what resources are built from */
  config: AwsClusterConfig;
  net: ClusterNetwork;
  groups: SecurityGroups;
  /** the AMI id */
  image: string;
  pki: TerraformPki;
  budget: UserDataBudget;
  keyPair?: string;
  /** AWS's own: instance roles, and the S3 store for configs too large for user_data */
  roles: InstanceRoles;
  configs: ConfigStore;
}

/** user_data inline when it fits EC2's 16 KiB, otherwise a pointer to the config in S3. */
export function placeUserData(ctx: MachineContext, label: string, key: string, group: IamGroup, ud: UserData): UserData {
  return ctx.budget.record(label, ctx.budget.withinHeadroom(ud) ? ud : ctx.configs.serve(key, ud, group));
}

export function fixedInstance(
  ctx: MachineContext,
  id: string,
  node: NodePlan,
  instanceType: string,
  group: IamGroup,
  userData: UserData,
): Instance {
  const { config } = ctx;
  return new Instance(ctx.stack, id, {
    ami: ctx.image,
    instanceType,
    subnetId: subnetOf(ctx.net, node.subnet).id,
    privateIp: node.ip,
    vpcSecurityGroupIds: groupsOf(node.role).map((g) => ctx.groups[g].id),
    iamInstanceProfile: ctx.roles.profile(group).name,
    ...(ctx.keyPair ? { keyName: ctx.keyPair } : {}),
    userData: userData.text,
    userDataReplaceOnChange: false,
    metadataOptions: METADATA_OPTIONS,
    rootBlockDevice: { volumeType: "gp3", volumeSize: config.aws.rootVolumeSize, encrypted: true, deleteOnTermination: true },
    tags: { Name: node.name, "slipway-role": node.role, ...clusterTag(config.name) },
    lifecycle: { ignoreChanges: ["ami", "user_data"] },
  });
}
