// Masters: fixed addresses (the API certificate and every node's local API load balancer name
// them), anti-affinity, and a floating IP each. All floating IPs are the public API and ingress
// addresses (published as DNS A records when dns: is set), so losing a master loses nothing.
import { terraformUserData, terraformValues } from "../userdata";
import { ComputeServergroupV2 } from "./gen/compute-servergroup-v2";
import { NetworkingFloatingipAssociateV2 } from "./gen/networking-floatingip-associate-v2";
import type { PublicApi } from "./api";
import { fixedMachine, type MachineContext } from "./machines";

export function masters(ctx: MachineContext, api: PublicApi) {
  const { stack, cluster, config, budget } = ctx;
  const group = new ComputeServergroupV2(stack, "master_group", {
    name: `${config.name}-master`,
    policies: [config.openstack.serverGroupPolicy],
  });
  return cluster.plan.masters.map((node, i) => {
    const userData = ctx.configs.place(
      budget,
      "master",
      node.name,
      terraformUserData(cluster, { role: "master", index: i }, terraformValues(ctx.pki, node.name)),
    ).text;
    const { port, instance } = fixedMachine(ctx, `master_${i}`, node, config.masters.flavor, group, userData);
    const fip = api.masterFloatingIps[i];
    if (!fip) throw new Error(`no floating IP for ${node.name}`);
    new NetworkingFloatingipAssociateV2(stack, `master_${i}_fip_associate`, {
      floatingIp: fip.address,
      portId: port.id,
    });
    return { node, instance, publicIp: fip.address };
  });
}
