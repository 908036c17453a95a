// etcd members: one machine per member with a fixed address (the static initial cluster and the
// member certificates name it), spread over hypervisors by a server group, each keeping its data
// on its own Cinder volume. The volume outlives the instance: replacing a member's machine
// re-attaches the same data, and the member rejoins where it left off.
import { Deferred } from "../../bootstrap/ignition/builder";
import { terraformUserData, terraformValues } from "../userdata";
import { BlockstorageVolumeV3 } from "./gen/blockstorage-volume-v3";
import { ComputeServergroupV2 } from "./gen/compute-servergroup-v2";
import { ComputeVolumeAttachV2 } from "./gen/compute-volume-attach-v2";
import { fixedMachine, type MachineContext } from "./machines";

export function etcdMembers(ctx: MachineContext) {
  const { stack, cluster, config, budget } = ctx;
  const group = new ComputeServergroupV2(stack, "etcd_group", {
    name: `${config.name}-etcd`,
    policies: [config.openstack.serverGroupPolicy],
  });
  return cluster.plan.etcd.map((node, i) => {
    const volume = new BlockstorageVolumeV3(stack, `etcd_${i}_data`, {
      name: `${node.name}-data`,
      description: `etcd data of ${node.name}`,
      size: config.etcd.volumeSize,
      ...(config.openstack.volumeType ? { volumeType: config.openstack.volumeType } : {}),
      ...(config.openstack.availabilityZone ? { availabilityZone: config.openstack.availabilityZone } : {}),
      metadata: { "slipway-cluster": config.name, "slipway-role": "etcd-data" },
      lifecycle: { preventDestroy: config.etcd.preventDestroy },
    });
    const values = terraformValues(ctx.pki, node.name, {
      "etcd-data": new Deferred(volume.id, 64, `volume id of ${node.name}-data`, "base64"),
    });
    const userData = ctx.configs.place(budget, "etcd", node.name, terraformUserData(cluster, { role: "etcd", index: i }, values)).text;
    const { instance } = fixedMachine(ctx, `etcd_${i}`, node, config.etcd.flavor, group, userData);
    new ComputeVolumeAttachV2(stack, `etcd_${i}_data_attach`, { instanceId: instance.id, volumeId: volume.id });
    return { node, instance, volume };
  });
}
