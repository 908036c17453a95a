// Each cloud's stack, in a map the compiler checks is total (like the descriptors in
// clusters/model/clouds.ts): a cloud without a stack does not build.
import type { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { CloudName, ClusterConfigOf } from "../clusters/model/clouds";
import type { Cluster } from "../clusters/model/load";
import { AwsClusterStack } from "./aws/stack";
import { OpenstackClusterStack } from "./openstack/stack";
import type { UserDataBudget } from "./userdata";

/** A cloud's stack of one cluster, with the user_data sizes it recorded while building. */
export interface ClusterStack extends TerraformStack {
  readonly budget: UserDataBudget;
}

type StackClass<K extends CloudName> = new (scope: Construct, cluster: Cluster<ClusterConfigOf<K>>) => ClusterStack;

export const STACKS: { [K in CloudName]: StackClass<K> } = {
  openstack: OpenstackClusterStack,
  aws: AwsClusterStack,
};

export function clusterStack(scope: Construct, cluster: Cluster): ClusterStack {
  // the discriminant picks the class built for exactly this config: the one cast the registry needs
  const Stack = STACKS[cluster.config.cloud] as StackClass<CloudName>;
  return new Stack(scope, cluster as Cluster<never>);
}

/** A node of a worker pool, as the Kubernetes API has it. */
export interface PoolNode {
  name: string;
  /** spec.providerID: the cloud's id of the machine */
  providerID?: string;
  /** metadata.creationTimestamp */
  created?: string;
}

/** What lowering a group-scaled pool's count removes: the group's instances that go, and their nodes. */
export interface GroupShrink {
  pool: string;
  group: string;
  from: number;
  to: number;
  leaving: { instance: string; zone: string; node: string }[];
}

/** How a cloud whose pools are scaled as groups shrinks one by chosen machines (bin/shrink.ts). */
export interface GroupScaling {
  planGroupShrink(cluster: Cluster, pools: string[], nodesOf: (pool: string) => Promise<PoolNode[]>): Promise<GroupShrink[]>;
  terminateLeaving(cluster: Cluster, s: GroupShrink, waitSeconds: number): Promise<void>;
}

/** Each cloud's group scaling, for the clouds that scale pools as groups (loaded when used: it brings the cloud's SDK). */
export const GROUP_SCALING: { [K in CloudName]?: () => GroupScaling } = {
  aws: () => require("./aws/group-shrink") as GroupScaling,
};
