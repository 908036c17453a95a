// The public API: an Elastic IP per master (also the ingress addresses), created first because
// the API server certificates name them; optionally a network load balancer across the public
// subnets with a /readyz health check, whose DNS name the certificates also carry.
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { TerraformStack } from "cdktf";
import { PORTS } from "../../clusters/model/ports";
import type { Plan } from "../../clusters/model/plan";
import type { AwsClusterConfig } from "./cloud";
import { type ClusterNetwork, subnetOf } from "./network";

export interface PublicApi {
  masterIps: Eip[];
  targetGroup?: LbTargetGroup;
  /** addresses and names for the certificates */
  addresses: string[];
  names: string[];
  /** what to publish as the API endpoint */
  endpoint: string;
}

export function publicApi(stack: TerraformStack, config: AwsClusterConfig, plan: Plan, net: ClusterNetwork): PublicApi {
  const masterIps = plan.masters.map(
    (m, i) => new Eip(stack, `master_${i}_ip`, { domain: "vpc", tags: { Name: `${m.name} (API and ingress)` } }),
  );
  const addresses = masterIps.map((e) => e.publicIp);
  if (!config.aws.apiLoadBalancer) return { masterIps, addresses, names: [], endpoint: addresses[0] as string };

  const lb = new Lb(stack, "api_lb", {
    name: `${config.name}-api`.slice(0, 32),
    loadBalancerType: "network",
    internal: false,
    subnets: plan.publicSubnets.map((i) => subnetOf(net, i).id),
    enableCrossZoneLoadBalancing: true,
  });
  const targetGroup = new LbTargetGroup(stack, "api_lb_masters", {
    name: `${config.name}-api`.slice(0, 32),
    port: PORTS.apiserver,
    protocol: "TCP",
    vpcId: net.vpc.id,
    targetType: "instance",
    healthCheck: {
      protocol: "HTTPS",
      path: "/readyz",
      port: String(PORTS.apiserver),
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      interval: 10,
    },
  });
  new LbListener(stack, "api_lb_listener", {
    loadBalancerArn: lb.arn,
    port: PORTS.apiserver,
    protocol: "TCP",
    defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
  });
  return { masterIps, targetGroup, addresses, names: [lb.dnsName], endpoint: lb.dnsName };
}
