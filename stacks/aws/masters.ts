// Masters: fixed addresses in the public subnets, spread over zones, each with its Elastic IP and,
// with a network load balancer, registered as its target.
import { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { PORTS } from "../../clusters/model/ports";
import { terraformUserData, terraformValues } from "../userdata";
import type { PublicApi } from "./api";
import { fixedInstance, type MachineContext, placeUserData } from "./machines";

export function masters(ctx: MachineContext, api: PublicApi) {
  const { cluster, config } = ctx;
  return cluster.plan.masters.map((node, i) => {
    const ud = terraformUserData(cluster, { role: "master", index: i }, terraformValues(ctx.pki, node.name));
    const instance = fixedInstance(
      ctx,
      `master_${i}`,
      node,
      config.masters.instanceType,
      "master",
      placeUserData(ctx, "master", node.name, "master", ud),
    );
    const eip = api.masterIps[i];
    if (!eip) throw new Error(`no Elastic IP for ${node.name}`);
    new EipAssociation(ctx.stack, `master_${i}_ip_association`, { allocationId: eip.id, instanceId: instance.id });
    if (api.targetGroup)
      new LbTargetGroupAttachment(ctx.stack, `master_${i}_api_target`, {
        targetGroupArn: api.targetGroup.arn,
        targetId: instance.id,
        port: PORTS.apiserver,
      });
    return { node, instance, publicIp: eip.publicIp };
  });
}
