// `slipway shrink` (bin/shrink.ts) for a pool the cloud scales as a group (an AWS Auto Scaling group): the group
// would pick the instances that go itself, by its termination policy, with their pods on them.
// Instead Slipway picks them — spread over zones as the group keeps them (from the zone with the
// most instances, the newest node first) — drains their nodes, lowers the group's minimum, and
// terminates exactly those instances with the group's desired capacity decremented; then the
// saved plan is applied (the group's sizes as the file says, which they already are) and the
// Node objects are deleted. The Auto Scaling API is called with the operator's AWS credentials
// (the profile the file names, or the AWS_* variables, as Terraform's provider reads them).
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { printable, UserError } from "../../clusters/model/errors";
import type { Cluster } from "../../clusters/model/load";
import type { GroupShrink, PoolNode } from "../registry";

function client(cluster: Cluster): AutoScalingClient {
  const aws = (cluster.config as { aws?: { region: string; profile?: string } }).aws;
  if (!aws) throw new Error("a group-scaled pool outside AWS");
  // the SDK's notice that later versions need Node 22 is not the operator's concern (this one is pinned)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new AutoScalingClient({ region: aws.region, maxAttempts: 3, ...(aws.profile ? { profile: aws.profile } : {}) });
}

async function call<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const err = e as { name?: string; message?: string };
    throw new UserError(`AWS Auto Scaling ${what}: ${printable(`${err.name ?? "error"}: ${err.message ?? ""}`.split("\n")[0] ?? "")}`);
  }
}

/** Which instances of each group a lower count removes, and their nodes. */
export async function planGroupShrink(
  cluster: Cluster,
  pools: string[],
  nodesOf: (pool: string) => Promise<PoolNode[]>,
): Promise<GroupShrink[]> {
  const asg = client(cluster);
  const out: GroupShrink[] = [];
  for (const pool of pools) {
    const count = cluster.plan.pools.find((p) => p.name === pool)?.count ?? 0;
    const group = `${cluster.config.name}-${pool}`;
    const found = await call(
      "DescribeAutoScalingGroups",
      asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] })),
    );
    const g = found.AutoScalingGroups?.[0];
    if (!g) throw new UserError(`pool ${pool}: no Auto Scaling group ${group} (is the stack applied?)`);
    const from = g.DesiredCapacity ?? 0;
    if (count >= from) continue;
    const live = (g.Instances ?? []).filter((i) => i.LifecycleState === "InService" && i.InstanceId);
    // the group's nodes, by the instance id in their provider id (aws:///<zone>/<instance id>)
    const nodes = new Map<string, PoolNode>();
    for (const n of await nodesOf(pool)) {
      const id = /\/(i-[0-9a-f]+)$/.exec(n.providerID ?? "")?.[1];
      if (id) nodes.set(id, n);
    }
    const zones = new Map<string, number>();
    for (const i of live) zones.set(i.AvailabilityZone ?? "", (zones.get(i.AvailabilityZone ?? "") ?? 0) + 1);
    const candidates = [...live];
    const leaving: GroupShrink["leaving"] = [];
    while (leaving.length < from - count && candidates.length) {
      // from the zone with the most instances left; there, the newest node (then the highest id)
      candidates.sort((a, b) => {
        const z = (zones.get(b.AvailabilityZone ?? "") ?? 0) - (zones.get(a.AvailabilityZone ?? "") ?? 0);
        if (z) return z;
        const t = (x: typeof a) => nodes.get(x.InstanceId as string)?.created ?? "";
        return t(b).localeCompare(t(a)) || (b.InstanceId as string).localeCompare(a.InstanceId as string);
      });
      const i = candidates.shift() as (typeof live)[number];
      zones.set(i.AvailabilityZone ?? "", (zones.get(i.AvailabilityZone ?? "") ?? 1) - 1);
      leaving.push({
        instance: i.InstanceId as string,
        zone: i.AvailabilityZone ?? "?",
        node: nodes.get(i.InstanceId as string)?.name ?? "",
      });
    }
    if (leaving.length < from - count)
      throw new UserError(`pool ${pool}: ${from - count} instance(s) should go, but only ${live.length} of ${group} are in service`);
    out.push({ pool, group, from, to: count, leaving });
  }
  return out;
}

/** Lower the group's minimum, terminate exactly the leaving instances (desired capacity decremented), and wait until they are gone. */
export async function terminateLeaving(cluster: Cluster, s: GroupShrink, waitSeconds: number): Promise<void> {
  const asg = client(cluster);
  await call("UpdateAutoScalingGroup", asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: s.group, MinSize: s.to })));
  for (const l of s.leaving)
    await call(
      "TerminateInstanceInAutoScalingGroup",
      asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: l.instance, ShouldDecrementDesiredCapacity: true })),
    );
  const end = Date.now() + waitSeconds * 1000;
  for (;;) {
    const g = (
      await call("DescribeAutoScalingGroups", asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [s.group] })))
    ).AutoScalingGroups?.[0];
    const still = (g?.Instances ?? []).filter(
      (i) => s.leaving.some((l) => l.instance === i.InstanceId) && i.LifecycleState !== "Terminated",
    );
    if (still.length === 0) return;
    if (Date.now() > end)
      throw new UserError(
        `${s.group}: ${still.map((i) => `${i.InstanceId} (${i.LifecycleState})`).join(", ")} not terminated after ${waitSeconds} s; run the shrink again once they are`,
      );
    await new Promise((r) => setTimeout(r, 5000));
  }
}
