// `slipway shrink [file]`: apply a lower worker pool `count` without pulling machines from under
// their pods. The plan of the synthesized stack says which machines go (OpenStack keeps every
// other machine's name and address: the highest-numbered go); each of their nodes is cordoned and
// drained first (PodDisruptionBudgets obeyed), then the saved plan is applied, then their Node
// objects are removed. A plan that does anything but remove those machines is refused: other
// changes are applied on their own, on purpose.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../clusters/model/load";
import { UsageError, UserError } from "./errors";
import { seconds } from "./remote";
import { type Change, confirmByName, lastLine, openStack, type StackOptions } from "./stack-run";

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
  // a pool the cloud scales as a group (AWS) has no planned machines: the group picks who goes
  const grouped = cluster.plan.pools.find((p) => p.count > 0 && p.nodes.length === 0);
  if (grouped)
    throw new UserError(
      `pool ${grouped.name} of ${cluster.config.name} is an Auto Scaling group, which picks the instance that goes itself (its termination policy) — drain it with kubectl before lowering the count`,
    );
  const drainTimeout = seconds("--drain-timeout", opts.drainTimeout, 7200);
  const kubeconfig = opts.kubeconfig ?? process.env.KUBECONFIG;
  if (!kubeconfig && !opts.dryRun)
    throw new UsageError(
      "give --kubeconfig FILE (or KUBECONFIG): the leaving nodes are drained through the API (terraform output -raw admin_kubeconfig)",
    );
  if (!opts.yes && !opts.dryRun && !process.stdin.isTTY)
    throw new UsageError("give --yes to shrink without a prompt (standard input is not a terminal)");

  const stack = openStack(cluster, opts);
  // (a pool the stack has no instances resource for cannot lose a machine)
  const instances = new Map(
    cluster.plan.pools.flatMap((p) => {
      try {
        return [[p.name, stack.addressOf(`pool_${p.name}`)] as const];
      } catch {
        return [];
      }
    }),
  );
  const planFile = join(stack.dir, PLAN_FILE);
  try {
    const p = stack.tf(["plan", "-input=false", "-lock-timeout=60s", `-out=${PLAN_FILE}`], true);
    if (p.status !== 0) throw new UserError(`terraform plan failed: ${lastLine(p.stderr || p.stdout)}`);
    const { nodes, other } = leaving(stack.changes(PLAN_FILE), instances);
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
