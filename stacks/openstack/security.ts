// Security groups from the cloud-neutral rules in ../firewall.ts: one group per Group, one rule
// resource per rule, with ids derived from the rule itself so adding an admin CIDR never renumbers
// the others.
import type { TerraformStack } from "cdktf";
import { firewallRules, formerRuleId, type Group, perGroup, ruleId } from "../firewall";
import { PORTS } from "../../clusters/model/ports";
import type { OpenstackClusterConfig } from "./cloud";
import type { ClusterNetwork } from "./network";
import { NetworkingSecgroupRuleV2 } from "./gen/networking-secgroup-rule-v2";
import { NetworkingSecgroupV2 } from "./gen/networking-secgroup-v2";

export type SecurityGroups = Record<Group, NetworkingSecgroupV2>;

/** `_net`: as on AWS, where groups belong to the VPC; Neutron's groups belong to the project. */
export function securityGroups(stack: TerraformStack, config: OpenstackClusterConfig, _net: ClusterNetwork): SecurityGroups {
  const groups: SecurityGroups = perGroup(
    (g) =>
      new NetworkingSecgroupV2(stack, `secgroup_${g}`, {
        name: `${config.name}-${g}`,
        description: g === "cluster" ? `${config.name}: every machine of the cluster` : `${config.name}: ${g} machines`,
        // Keep Neutron's default egress rules: machines pull images and reach the cloud APIs.
        deleteDefaultRules: false,
      }),
  );

  for (const r of firewallRules(config)) {
    const v6 = "cidr" in r.from && r.from.cidr.includes(":");
    const rule = new NetworkingSecgroupRuleV2(stack, `rule_${ruleId(r)}`, {
      securityGroupId: groups[r.to].id,
      direction: "ingress",
      ethertype: v6 ? "IPv6" : "IPv4",
      protocol: r.protocol,
      ...(r.ports ? { portRangeMin: r.ports[0], portRangeMax: r.ports[1] } : {}),
      ...("group" in r.from ? { remoteGroupId: groups[r.from.group].id } : { remoteIpPrefix: r.from.cidr }),
      description: r.description,
    });
    const former = formerRuleId(r);
    if (former) rule.moveFromId(`${NetworkingSecgroupRuleV2.tfResourceType}.rule_${former}`);
  }
  // An Octavia load balancer reaches the masters from its own ports on the node subnet.
  if (config.openstack.apiLoadBalancer)
    new NetworkingSecgroupRuleV2(stack, "rule_master_tcp_6443_from_api_lb", {
      securityGroupId: groups.master.id,
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      portRangeMin: PORTS.apiserver,
      portRangeMax: PORTS.apiserver,
      remoteIpPrefix: config.network.nodes,
      description: "Kubernetes API from the Octavia load balancer",
    });
  return groups;
}
