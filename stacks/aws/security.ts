// Security groups from the cloud-neutral rules in ../firewall.ts: one group per Group, one
// ingress rule resource per rule (ids derived from the rule, so adding an admin CIDR never
// renumbers the others), and egress open on every machine (images, AWS APIs).
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { TerraformStack } from "cdktf";
import { firewallRules, formerRuleId, type Group, perGroup, ruleId } from "../firewall";
import { PORTS } from "../../clusters/model/ports";
import type { AwsClusterConfig } from "./cloud";
import type { ClusterNetwork } from "./network";

export type SecurityGroups = Record<Group, SecurityGroup>;

export function securityGroups(stack: TerraformStack, config: AwsClusterConfig, net: ClusterNetwork): SecurityGroups {
  const groups: SecurityGroups = perGroup(
    (g) =>
      new SecurityGroup(stack, `secgroup_${g}`, {
        name: `${config.name}-${g}`,
        description: g === "cluster" ? `${config.name}: every machine of the cluster` : `${config.name}: ${g} machines`,
        vpcId: net.vpc.id,
        tags: { Name: `${config.name}-${g}` },
      }),
  );

  for (const r of firewallRules(config)) {
    const source =
      "group" in r.from
        ? { referencedSecurityGroupId: groups[r.from.group].id }
        : r.from.cidr.includes(":")
          ? { cidrIpv6: r.from.cidr }
          : { cidrIpv4: r.from.cidr };
    const rule = new VpcSecurityGroupIngressRule(stack, `rule_${ruleId(r)}`, {
      securityGroupId: groups[r.to].id,
      ipProtocol: r.protocol,
      fromPort: r.ports ? r.ports[0] : -1,
      toPort: r.ports ? r.ports[1] : -1,
      ...source,
      description: r.description,
    });
    const former = formerRuleId(r);
    if (former) rule.moveFromId(`${VpcSecurityGroupIngressRule.tfResourceType}.rule_${former}`);
  }
  for (const [id, cidr] of [
    ["ipv4", { cidrIpv4: "0.0.0.0/0" }],
    ["ipv6", { cidrIpv6: "::/0" }],
  ] as const)
    new VpcSecurityGroupEgressRule(stack, `egress_${id}`, {
      securityGroupId: groups.cluster.id,
      ipProtocol: "-1",
      ...cidr,
      description: "egress",
    });

  // A network load balancer's health checks come from its addresses in the VPC.
  if (config.aws.apiLoadBalancer)
    new VpcSecurityGroupIngressRule(stack, "rule_master_tcp_6443_from_api_lb", {
      securityGroupId: groups.master.id,
      ipProtocol: "tcp",
      fromPort: PORTS.apiserver,
      toPort: PORTS.apiserver,
      cidrIpv4: config.network.nodes,
      description: "Kubernetes API health checks from the network load balancer",
    });
  return groups;
}
