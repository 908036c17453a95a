// etcd members: one instance per member at its planned address, spread over zones, each with an
// encrypted gp3 EBS data volume in its zone, attached and protected from destroy: replacing the
// instance re-attaches the same data and the member rejoins where it left off.
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import { Deferred } from "../../bootstrap/ignition/builder";
import { terraformUserData, terraformValues } from "../userdata";
import { fixedInstance, type MachineContext, placeUserData } from "./machines";

export function etcdMembers(ctx: MachineContext) {
  const { cluster, config } = ctx;
  return cluster.plan.etcd.map((node, i) => {
    const volume = new EbsVolume(ctx.stack, `etcd_${i}_data`, {
      availabilityZone: ctx.net.zones[node.zone] as string,
      size: config.etcd.volumeSize,
      type: "gp3",
      encrypted: true,
      tags: { Name: `${node.name}-data`, "slipway-role": "etcd-data" },
      lifecycle: { preventDestroy: config.etcd.preventDestroy },
    });
    const values = terraformValues(ctx.pki, node.name, {
      "etcd-data": new Deferred(volume.id, 64, `volume id of ${node.name}-data`, "base64"),
    });
    const userData = placeUserData(ctx, "etcd", node.name, "etcd", terraformUserData(cluster, { role: "etcd", index: i }, values));
    const instance = fixedInstance(ctx, `etcd_${i}`, node, config.etcd.instanceType, "etcd", userData);
    new VolumeAttachment(ctx.stack, `etcd_${i}_data_attach`, {
      deviceName: "/dev/xvdf",
      volumeId: volume.id,
      instanceId: instance.id,
      // etcd stops cleanly before its volume goes away
      stopInstanceBeforeDetaching: true,
    });
    return { node, instance, volume };
  });
}
