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
