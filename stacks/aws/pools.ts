// Worker pools as Auto Scaling groups over the worker subnets of every zone, each launching from
// a launch template of its own. Every machine of a pool boots the same config (workers join with
// a bootstrap token; the cloud names the machine), so a pool's size lives only in its group:
// scaling one changes nothing else. A changed launch template rolls through the group by instance
// refresh, keeping 90 % of it in service.
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { groupsOf } from "../firewall";
import type { PoolPlan } from "../../clusters/model/plan";
import type { NodeValues } from "../../bootstrap/node";
import { terraformUserData } from "../userdata";
import { aws } from "./cloud";
import { type MachineContext, METADATA_OPTIONS, placeUserData } from "./machines";
import { subnetOf } from "./network";
import { clusterTag } from "./iam";

export function workerPool(ctx: MachineContext, pool: PoolPlan) {
  const { cluster, config } = ctx;
  const spec = config.workers.find((w) => w.name === pool.name);
  if (!spec) throw new Error(`pool ${pool.name} missing from the config`);
  const name = `${config.name}-${pool.name}`;
  // no host name: the cloud names each machine of the group
  const values: NodeValues = {
    pem: (n, kind) => ctx.pki.pem(n, kind),
    joinToken: (p) => ctx.pki.joinToken(p),
    joinSeed: ctx.pki.joinSeed,
    etcdPassword: (g) => ctx.pki.etcdPassword(g),
    etcdSeed: ctx.pki.etcdSeed,
    encryptionKey: ctx.pki.encryptionKey,
    apiEndpoints: ctx.pki.apiEndpoints,
    addonSecret: () => {
      throw new Error("worker pools carry no addon secrets");
    },
    volume: (purpose) => {
      if (purpose !== "logs") throw new Error(`worker pools have no ${purpose} volume`);
      return aws.devices.logs;
    },
  };
  const userData = placeUserData(
    ctx,
    `worker pool ${pool.name}`,
    `pool-${pool.name}`,
    `pool-${pool.name}`,
    terraformUserData(cluster, { role: "worker", pool: pool.name }, values),
  );
  const encrypted = (size: number) => ({ volumeSize: size, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" });

  const template = new LaunchTemplate(ctx.stack, `pool_${pool.name}_template`, {
    namePrefix: `${name}-`,
    imageId: ctx.image,
    instanceType: spec.instanceType,
    iamInstanceProfile: { name: ctx.roles.profile(`pool-${pool.name}`).name },
    vpcSecurityGroupIds: groupsOf("worker").map((g) => ctx.groups[g].id),
    ...(ctx.keyPair ? { keyName: ctx.keyPair } : {}),
    userData: userData.base64,
    metadataOptions: METADATA_OPTIONS,
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", ebs: encrypted(config.aws.rootVolumeSize) },
      ...(spec.logsVolumeSize ? [{ deviceName: "/dev/xvdb", ebs: encrypted(spec.logsVolumeSize) }] : []),
    ],
    tagSpecifications: [
      { resourceType: "instance", tags: { Name: name, "slipway-role": "worker", "slipway-pool": pool.name, ...clusterTag(config.name) } },
      { resourceType: "volume", tags: { Name: name } },
    ],
    updateDefaultVersion: true,
    lifecycle: { ignoreChanges: ["image_id"] },
  });

  const group = new AutoscalingGroup(ctx.stack, `pool_${pool.name}`, {
    name,
    minSize: pool.count,
    maxSize: pool.count,
    desiredCapacity: pool.count,
    vpcZoneIdentifier: cluster.plan.workerSubnets.map((i) => subnetOf(ctx.net, i).id),
    launchTemplate: { id: template.id, version: template.latestVersion.toString() },
    healthCheckType: "EC2",
    instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90, instanceWarmup: "120" } },
    tag: [
      { key: "Name", value: name, propagateAtLaunch: true },
      { key: "slipway-pool", value: pool.name, propagateAtLaunch: true },
    ],
  });
  return { pool, group, template };
}
