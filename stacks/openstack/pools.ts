// Worker pools. One resource per kind per pool, with for_each over the pool's planned machines
// (name → fixed address): synthesis stays fast however large a pool is, and scaling a pool only
// changes that pool's map — no other resource is touched. Every machine of a pool boots the same
// config (workers join with a bootstrap token), with its host name and logs volume filled in from
// each.key.
import { ref, TerraformIterator, Token } from "cdktf";
import { Deferred } from "../../bootstrap/ignition/builder";
import type { PoolPlan } from "../../clusters/model/plan";
import { terraformUserData, terraformValues } from "../userdata";
import { BlockstorageVolumeV3 } from "./gen/blockstorage-volume-v3";
import { ComputeInstanceV2 } from "./gen/compute-instance-v2";
import { ComputeVolumeAttachV2 } from "./gen/compute-volume-attach-v2";
import { NetworkingPortV2 } from "./gen/networking-port-v2";
import { instanceBase, type MachineContext, securityGroupIds } from "./machines";

export function workerPool(ctx: MachineContext, pool: PoolPlan) {
  const { stack, cluster, config, budget } = ctx;
  const spec = config.workers.find((w) => w.name === pool.name);
  if (!spec) throw new Error(`pool ${pool.name} missing from the config`);
  const id = `pool_${pool.name}`;
  const machines = TerraformIterator.fromMap(Object.fromEntries(pool.nodes.map((n) => [n.name, n.ip])));
  /** `<type>.<name>[each.key].<attr>` of a for_each resource of this pool */
  const each = (r: { terraformResourceType: string; friendlyUniqueId: string }, attr: string) =>
    Token.asString(ref(`${r.terraformResourceType}.${r.friendlyUniqueId}[each.key].${attr}`, stack));

  const port = new NetworkingPortV2(stack, `${id}_port`, {
    forEach: machines,
    name: machines.key,
    networkId: ctx.net.network.id,
    adminStateUp: true,
    fixedIp: [{ subnetId: ctx.net.subnet.id, ipAddress: machines.value }],
    securityGroupIds: securityGroupIds(ctx, "worker"),
  });

  const logs = spec.logsVolumeSize
    ? new BlockstorageVolumeV3(stack, `${id}_logs`, {
        forEach: machines,
        name: `${machines.key}-logs`,
        description: "logs volume (/var/log)",
        size: spec.logsVolumeSize,
        ...(config.openstack.volumeType ? { volumeType: config.openstack.volumeType } : {}),
        ...(config.openstack.availabilityZone ? { availabilityZone: config.openstack.availabilityZone } : {}),
        metadata: { "slipway-cluster": config.name, "slipway-role": "logs" },
      })
    : undefined;

  const ports = TerraformIterator.fromResources(port);
  const values = terraformValues(
    ctx.pki,
    new Deferred(ports.key, 63, "host name", "base64"),
    logs ? { logs: new Deferred(each(logs, "id"), 64, "logs volume id", "base64") } : {},
  );
  const userData = budget.record(`worker pool ${pool.name}`, terraformUserData(cluster, { role: "worker", pool: pool.name }, values)).text;
  const instance = new ComputeInstanceV2(stack, id, {
    forEach: ports,
    name: ports.key,
    ...instanceBase(ctx, "worker", spec.flavor, pool.name),
    network: [{ port: ports.getString("id") }],
    userData,
  });

  if (logs) {
    const instances = TerraformIterator.fromResources(instance);
    new ComputeVolumeAttachV2(stack, `${id}_logs_attach`, {
      forEach: instances,
      instanceId: instances.getString("id"),
      volumeId: each(logs, "id"),
    });
  }
  return { pool, instance };
}
