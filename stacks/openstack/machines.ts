// One machine with a fixed address: a port carrying the planned IP and the role's security groups,
// and the instance on it. Used for etcd members and masters (worker pools are in pools.ts).
import type { TerraformStack } from "cdktf";
import type { Cluster } from "../../clusters/model/load";
import { groupsOf } from "../firewall";
import type { NodePlan } from "../../clusters/model/plan";
import type { TerraformPki } from "../pki";
import type { UserDataBudget } from "../userdata";
import type { OpenstackClusterConfig } from "./cloud";
import type { SwiftConfigStore } from "./configs";
import { ComputeInstanceV2, type ComputeInstanceV2Config } from "./gen/compute-instance-v2";
import type { ComputeServergroupV2 } from "./gen/compute-servergroup-v2";
import { NetworkingPortV2 } from "./gen/networking-port-v2";
import type { ClusterNetwork } from "./network";
import type { SecurityGroups } from "./security";

export interface MachineContext {
  stack: TerraformStack;
  /** the cluster as the file says (node configs are built from it; they reach Terraform encoded) */
  cluster: Cluster<OpenstackClusterConfig>;
  /** the same settings with every string made literal for Terraform: what resources are built from */
  config: OpenstackClusterConfig;
  net: ClusterNetwork;
  groups: SecurityGroups;
  /** the image id */
  image: string;
  pki: TerraformPki;
  budget: UserDataBudget;
  /** where configs over half the user_data limit go (openstack.configStore) */
  configs: SwiftConfigStore;
  keyPair?: string;
}

/**
 * Settings every instance shares. Image and user_data changes are ignored: a new Flatcar upload or
 * a changed node config must not replace machines by surprise on the next apply; roll them out one
 * machine at a time with `terraform apply -replace=...` (README: Upgrades).
 */
export function instanceBase(ctx: MachineContext, role: NodePlan["role"], flavor: string, pool?: string) {
  const { config } = ctx;
  return {
    imageId: ctx.image,
    flavorName: flavor,
    configDrive: true,
    stopBeforeDestroy: true,
    ...(ctx.keyPair ? { keyPair: ctx.keyPair } : {}),
    ...(config.openstack.availabilityZone ? { availabilityZone: config.openstack.availabilityZone } : {}),
    metadata: { "slipway-cluster": config.name, "slipway-role": role, ...(pool ? { "slipway-pool": pool } : {}) },
    lifecycle: { ignoreChanges: ["image_id", "user_data"] },
  } satisfies Partial<ComputeInstanceV2Config>;
}

export function securityGroupIds(ctx: MachineContext, role: NodePlan["role"]): string[] {
  return groupsOf(role).map((g) => ctx.groups[g].id);
}

export function fixedMachine(
  ctx: MachineContext,
  id: string,
  node: NodePlan,
  flavor: string,
  serverGroup: ComputeServergroupV2,
  userData: string,
): { port: NetworkingPortV2; instance: ComputeInstanceV2 } {
  const port = new NetworkingPortV2(ctx.stack, `${id}_port`, {
    name: node.name,
    networkId: ctx.net.network.id,
    adminStateUp: true,
    fixedIp: [{ subnetId: ctx.net.subnet.id, ipAddress: node.ip }],
    securityGroupIds: securityGroupIds(ctx, node.role),
  });
  const instance = new ComputeInstanceV2(ctx.stack, id, {
    name: node.name,
    ...instanceBase(ctx, node.role, flavor),
    network: [{ port: port.id }],
    schedulerHints: [{ group: serverGroup.id }],
    userData,
  });
  return { port, instance };
}
