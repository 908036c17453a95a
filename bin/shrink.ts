// `slipway shrink [file]`: apply a lower worker pool `count` without pulling machines from under
// their pods. The plan of the synthesized stack says which machines go (OpenStack keeps every
// other machine's name and address: the highest-numbered go); each of their nodes is cordoned and
// drained first (PodDisruptionBudgets obeyed), then the saved plan is applied, then their Node
// objects are removed. A plan that does anything but remove those machines is refused: other
// changes are applied on their own, on purpose. A pool the cloud scales as a group (AWS) is
// shrunk through its cloud's group scaling (stacks/aws/group-shrink.ts): Slipway picks, drains and terminates the instances that go.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../clusters/model/load";
import { UsageError, UserError } from "./errors";
import { seconds } from "./remote";
import { type Change, confirmByName, lastLine, openStack, type Stack, type StackOptions } from "./stack-run";
import type { KubeClient } from "./kube-client";

export interface ShrinkOptions extends StackOptions {
  kubeconfig?: string;
  drainTimeout: string;
  dryRun?: boolean;
  yes?: boolean;
}

const PLAN_FILE = "slipway-shrink.tfplan";

/** The machines the plan removes, per pool, and the changes that are not theirs. */
export function leaving(changes: Change[], instances: Map<string, string>): { nodes: { pool: string; node: string }[]; other: Change[] } {
  const nodes: { pool: string; node: string }[] = [];
  for (const c of changes)
    for (const [pool, address] of instances) {
      const m = new RegExp(`^${address.replace(/[.[\]]/g, "\\$&")}\\["([^"]+)"\\]$`).exec(c.address);
      if (m && c.actions.length === 1 && c.actions[0] === "delete") nodes.push({ pool, node: m[1] as string });
    }
  const gone = new Set(nodes.map((n) => n.node));
  // a leaving machine's other resources (its port, its logs volume and attachment) go with it
  const theirs = (c: Change) =>
    c.actions.length === 1 &&
    c.actions[0] === "delete" &&
    [...instances.keys()].some((pool) => {
      const m = new RegExp(`\\.pool_${pool}(_[a-z0-9_-]+)?\\["([^"]+)"\\]$`).exec(c.address);
      return m !== null && gone.has(m[2] as string);
    });
  return { nodes, other: changes.filter((c) => !theirs(c)) };
}

export async function shrinkCommand(cluster: Cluster, opts: ShrinkOptions): Promise<void> {
  const drainTimeout = seconds("--drain-timeout", opts.drainTimeout, 7200);
  const kubeconfig = opts.kubeconfig ?? process.env.KUBECONFIG;
  if (!kubeconfig && !opts.dryRun)
    throw new UsageError(
      "give --kubeconfig FILE (or KUBECONFIG): the leaving nodes are drained through the API (terraform output -raw admin_kubeconfig)",
    );
  if (!opts.yes && !opts.dryRun && !process.stdin.isTTY)
    throw new UsageError("give --yes to shrink without a prompt (standard input is not a terminal)");

  const stack = openStack(cluster, opts);
  // pools the cloud scales as a group (AWS) have no planned machines: Slipway picks who goes
  if (cluster.plan.pools.some((p) => p.count > 0 && p.nodes.length === 0))
    return shrinkGroups(cluster, opts, stack, drainTimeout, kubeconfig);
  const instances = new Map([...poolResources(cluster, stack)].map(([address, pool]) => [pool, address]));
  const planFile = join(stack.dir, PLAN_FILE);
  try {
    const { nodes, other } = leaving(savedPlan(stack), instances);
    if (other.length)
      throw new UserError(
        `the plan does more than remove worker machines: ${other.map((c) => `${c.actions.join("/")} ${c.address}`).join(", ")} — apply that on its own (terraform apply), then shrink. Nothing was changed`,
      );
    if (nodes.length === 0) return void console.log("the plan removes no worker machine: nothing to shrink");
    console.log(`${cluster.config.name}: the plan removes ${nodes.length} worker machine(s):`);
    for (const n of nodes) console.log(`  ${n.node} (pool ${n.pool})`);
    if (opts.dryRun) return void console.log("dry run: nothing was drained or applied");
    if (!opts.yes) await confirmByName(cluster, "Their nodes are drained and the machines destroyed.");

    const { KubeClient, drainNode, nodeState, deleteNode } = require("./kube-client") as typeof import("./kube-client");
    const kube = KubeClient.fromFile(kubeconfig as string);
    const drained: string[] = [];
    for (const { node } of nodes) {
      if ((await nodeState(kube, node)).ready === "missing") {
        console.log(`  ${node}: no Node in the cluster (gone already)`);
        continue;
      }
      console.log(`  draining ${node}`);
      try {
        await drainNode(kube, node, drainTimeout, (line) => console.log(line));
      } catch (e) {
        throw e instanceof UserError
          ? new UserError(`${e.message}. Nothing was destroyed${drained.length ? `; drained and cordoned: ${drained.join(", ")}` : ""}`)
          : e;
      }
      drained.push(node);
    }
    const a = stack.tf(["apply", "-input=false", "-lock-timeout=60s", PLAN_FILE]);
    if (a.status !== 0)
      throw new UserError(
        `terraform apply failed (exit ${a.status}); the nodes ${drained.join(", ")} stay cordoned — run the shrink again`,
      );
    for (const { node } of nodes) await deleteNode(kube, node);
    console.log(`${nodes.length} machine(s) removed, their nodes drained first and their Node objects deleted`);
  } finally {
    rmSync(planFile, { force: true });
  }
}

/** Each pool's machines resource (or group) in the stack, by address; a pool without one cannot lose a machine. */
function poolResources(cluster: Cluster, stack: Stack): Map<string, string> {
  return new Map(
    cluster.plan.pools.flatMap((p) => {
      try {
        return [[stack.addressOf(`pool_${p.name}`), p.name] as const];
      } catch {
        return [];
      }
    }),
  );
}

/** `terraform plan` saved to PLAN_FILE in the stack, and what it changes. */
function savedPlan(stack: Stack): Change[] {
  const p = stack.tf(["plan", "-input=false", "-lock-timeout=60s", `-out=${PLAN_FILE}`], true);
  if (p.status !== 0) throw new UserError(`terraform plan failed: ${lastLine(p.stderr || p.stdout)}`);
  return stack.changes(PLAN_FILE);
}

/** The group-scaled pools' shrink (bin/shrink-group.ts): the plan may only update their groups. */
async function shrinkGroups(cluster: Cluster, opts: ShrinkOptions, stack: Stack, drainTimeout: number, kubeconfig?: string): Promise<void> {
  const groups = poolResources(cluster, stack);
  const planFile = join(stack.dir, PLAN_FILE);
  try {
    const changes = savedPlan(stack);
    const other = changes.filter((c) => !(groups.has(c.address) && c.actions.join() === "update"));
    if (other.length)
      throw new UserError(
        `the plan does more than resize worker groups: ${other.map((c) => `${c.actions.join("/")} ${c.address}`).join(", ")} — apply that on its own (terraform apply), then shrink. Nothing was changed`,
      );
    if (changes.length === 0) return void console.log("the plan resizes no worker group: nothing to shrink");
    const { KubeClient, drainNode, deleteNode } = require("./kube-client") as typeof import("./kube-client");
    const { GROUP_SCALING } = require("../stacks/registry") as typeof import("../stacks/registry");
    const scaling = GROUP_SCALING[cluster.config.cloud]?.();
    if (!scaling) throw new Error(`no group scaling for ${cluster.config.cloud}`);
    const kube = kubeconfig ? KubeClient.fromFile(kubeconfig) : undefined;
    const nodesOf = async (pool: string) => {
      if (!kube) return [];
      const list = (await kube.must("GET", `/api/v1/nodes?labelSelector=${encodeURIComponent(`slipway/pool=${pool}`)}`)) as {
        items?: { metadata: { name: string; creationTimestamp?: string }; spec?: { providerID?: string } }[];
      };
      return (list.items ?? []).map((n) => ({
        name: n.metadata.name,
        providerID: n.spec?.providerID,
        created: n.metadata.creationTimestamp,
      }));
    };
    const shrinks = await scaling.planGroupShrink(
      cluster,
      changes.map((c) => groups.get(c.address) as string),
      nodesOf,
    );
    if (shrinks.length === 0)
      throw new UserError("the plan grows its worker groups, it removes no machine: apply it with terraform apply. Nothing was changed");
    for (const s of shrinks) {
      console.log(`${s.group}: ${s.from} → ${s.to}; leaving:`);
      for (const l of s.leaving)
        console.log(`  ${l.instance} (${l.zone})${l.node ? `: node ${l.node}` : ": no node of it in the cluster"}`);
    }
    if (opts.dryRun) return void console.log("dry run: nothing was drained, terminated or applied");
    if (!opts.yes) await confirmByName(cluster, "Their nodes are drained and the instances terminated.");
    const drained: string[] = [];
    for (const l of shrinks.flatMap((s) => s.leaving).filter((x) => x.node)) {
      console.log(`  draining ${l.node}`);
      try {
        await drainNode(kube as KubeClient, l.node, drainTimeout, (line) => console.log(line));
      } catch (e) {
        throw e instanceof UserError
          ? new UserError(`${e.message}. Nothing was terminated${drained.length ? `; drained and cordoned: ${drained.join(", ")}` : ""}`)
          : e;
      }
      drained.push(l.node);
    }
    for (const s of shrinks) await scaling.terminateLeaving(cluster, s, drainTimeout);
    const a = stack.tf(["apply", "-input=false", "-lock-timeout=60s", PLAN_FILE]);
    if (a.status !== 0)
      throw new UserError(`terraform apply failed (exit ${a.status}) after the instances were terminated: run terraform apply`);
    for (const node of drained) await deleteNode(kube as KubeClient, node);
    const n = shrinks.reduce((k, s) => k + s.leaving.length, 0);
    console.log(`${n} instance(s) removed, their nodes drained first and their Node objects deleted`);
  } finally {
    rmSync(planFile, { force: true });
  }
}
