// `slipway roll [file] --role etcd|master|pool`: replace a tier's machines one at a time (a
// pool's N at a time) — for a new Flatcar image, a new Kubernetes version, or new configs — with
// terraform (or tofu) doing each replacement and the tier's own health deciding when the next may go.
//
// First, a plain plan must show no changes: a stack that differs from its state is applied on
// purpose by the operator, never as a side effect of a roll. Then per machine: `plan
// -replace=<its instance>` saved to a file, which must replace that instance (and what hangs on
// it: its volume attachment, its address association) and is printed; the saved plan applied;
// then the whole tier must be healthy within --wait before the next machine. The tier must be
// healthy before the first, too. A failure stops the roll and says where: the machines before it
// are done, `--from <name>` goes on from there.
//
// Health is asked on the machines themselves over ssh, as their own checks do: each etcd
// member's health endpoint (a leader, no alarm, a read through raft), each master's API /readyz
// and its local API load balancer's. Masters and pools also keep Kubernetes' version-skew
// policy (bin/version-skew.ts), read from the Node objects through the admin kubeconfig.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import type { NodePlan } from "../clusters/model/placement";
import { API_LB_PORT, PORTS } from "../clusters/model/ports";
import { ETCD_METRICS } from "../bootstrap/parts/etcd-member";
import { UsageError, UserError } from "./errors";
import { type RunRemote, seconds, sshRunner } from "./remote";
import { confirmByName, lastLine, openStack, type StackOptions } from "./stack-run";
import { wholeNumber } from "./render";
import type { KubeClient } from "./kube-client";

export interface RollOptions extends StackOptions {
  role?: string;
  pool?: string;
  kubeconfig?: string;
  drainTimeout: string;
  maxUnavailable: string;
  ssh: string;
  user: string;
  wait: string;
  from?: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** the saved plan of one step, in the stack folder (removed after the step) */
const PLAN_FILE = "slipway-roll.tfplan";
const POLL_MS = 5000;

export interface Tier {
  machines: NodePlan[];
  /** the Terraform resource of a machine's instance: its name, and its key when it is a for_each */
  resource: (m: NodePlan) => { name: string; key?: string };
  /** every check that fails on the tier now, as "machine: what (why)" */
  unwell(): Promise<string[]>;
  /** before a batch is replaced (a pool drains its nodes) */
  before?(batch: NodePlan[]): Promise<void>;
  /** after it: which of the batch are not back yet (a node must come back as a new machine) */
  back?(batch: NodePlan[]): Promise<string[]>;
  /** once it is back (a pool uncordons its nodes) */
  after?(batch: NodePlan[]): Promise<void>;
}

/** A tier whose health is asked on each machine over ssh: each command must exit 0. */
function sshTier(machines: NodePlan[], resource: Tier["resource"], run: RunRemote, checks: { what: string; command: string }[]): Tier {
  return {
    machines,
    resource,
    unwell: async () => {
      const bad: string[] = [];
      for (const m of machines)
        for (const c of checks) {
          const r = run(m.ip, c.command);
          if (r.code !== 0)
            bad.push(
              `${m.name}: ${c.what} ${r.code === 255 ? `unreachable over ssh (${lastLine(r.stderr)})` : `fails (${lastLine(r.stderr || r.stdout) || `exit ${r.code}`})`}`,
            );
        }
      return bad;
    },
  };
}

/** The admin kubeconfig's client: what pools are drained with and every role's versions are read from. */
function kubeOf(opts: RollOptions, why: string): KubeClient {
  const kubeconfig = opts.kubeconfig ?? process.env.KUBECONFIG;
  if (!kubeconfig) throw new UsageError(`give --kubeconfig FILE (or KUBECONFIG): ${why} (terraform output -raw admin_kubeconfig)`);
  const { KubeClient } = require("./kube-client") as typeof import("./kube-client");
  return KubeClient.fromFile(kubeconfig);
}

export function tierOf(cluster: Cluster, opts: RollOptions, run: () => RunRemote, kube: () => KubeClient): Tier {
  const { plan } = cluster;
  if (opts.role === "etcd")
    return sshTier(plan.etcd, (m) => ({ name: `etcd_${m.index}` }), run(), [
      { what: "etcd health", command: `curl -fsS --max-time 10 ${ETCD_METRICS}/health` },
    ]);
  if (opts.role === "master")
    return sshTier(plan.masters, (m) => ({ name: `master_${m.index}` }), run(), [
      { what: "API /readyz", command: `curl -fsSk --max-time 10 https://127.0.0.1:${PORTS.apiserver}/readyz` },
      { what: "local API load balancer", command: `curl -fsSk --max-time 10 https://127.0.0.1:${API_LB_PORT}/readyz` },
    ]);
  if (opts.role === "pool") return poolTier(cluster, opts, kube);
  throw new UsageError(`--role must be etcd, master or pool, not ${printable(String(opts.role))}`);
}

/**
 * A worker pool, through the Kubernetes API: each node of a batch drained before its machine
 * goes, back when its Node is Ready with a new boot id (a stale Ready of the old machine does
 * not count), then uncordoned; the pool is well when every node of it is Ready.
 */
function poolTier(cluster: Cluster, opts: RollOptions, kubeClient: () => KubeClient): Tier {
  const names = cluster.plan.pools.map((p) => p.name);
  if (!opts.pool) throw new UsageError(`give --pool NAME with --role pool: one of ${names.join(", ")}`);
  const pool = cluster.plan.pools.find((p) => p.name === opts.pool);
  if (!pool) throw new UsageError(`--pool must be one of ${names.join(", ")}, not ${printable(opts.pool)}`);
  if (pool.nodes.length === 0)
    throw new UserError(
      `pool ${pool.name} is an Auto Scaling group: its instances are replaced by an instance refresh (aws autoscaling start-instance-refresh), not by slipway roll`,
    );
  const kube = kubeClient();
  const drainTimeout = seconds("--drain-timeout", opts.drainTimeout, 7200);
  const { drainNode, nodeState, setUnschedulable } = require("./kube-client") as typeof import("./kube-client");
  const boots = new Map<string, string | undefined>();
  return {
    machines: pool.nodes,
    resource: (m) => ({ name: `pool_${pool.name}`, key: m.name }),
    unwell: async () => {
      const bad: string[] = [];
      for (const m of pool.nodes) {
        const { ready } = await nodeState(kube, m.name);
        if (ready !== "Ready") bad.push(`${m.name}: node ${ready}`);
      }
      return bad;
    },
    before: async (batch) => {
      for (const m of batch) {
        boots.set(m.name, (await nodeState(kube, m.name)).bootId);
        console.log(`  draining ${m.name}`);
        await drainNode(kube, m.name, drainTimeout, (line) => console.log(line));
      }
    },
    back: async (batch) => {
      const waiting: string[] = [];
      for (const m of batch) {
        const { ready, bootId } = await nodeState(kube, m.name);
        if (ready !== "Ready") waiting.push(`${m.name}: node ${ready}`);
        else if (bootId === boots.get(m.name)) waiting.push(`${m.name}: still the old machine's node (same boot id)`);
      }
      return waiting;
    },
    after: async (batch) => {
      for (const m of batch) await setUnschedulable(kube, m.name, false);
    },
  };
}

export async function rollCommand(cluster: Cluster, opts: RollOptions): Promise<void> {
  if (!opts.role) throw new UsageError("give --role etcd, master or pool: which tier to roll");
  const wait = seconds("--wait", opts.wait, 7200);
  // the Kubernetes tiers read the running versions (and a pool drains) through the API
  let kube: KubeClient | undefined;
  const kubeClient = () => {
    kube ??= kubeOf(
      opts,
      opts.role === "pool" ? "the pool's nodes are drained through the API" : "the running Kubernetes versions are read from the API",
    );
    return kube;
  };
  const tier = tierOf(cluster, opts, () => sshRunner(opts.ssh, opts.user, 60_000), kubeClient);
  if (opts.role === "master" && !kube) kubeClient();
  const size = opts.role === "pool" ? wholeNumber("--max-unavailable", opts.maxUnavailable) : 1;
  if (size < 1) throw new UsageError("--max-unavailable must be at least 1");
  if (opts.role !== "pool" && opts.maxUnavailable !== "1")
    throw new UsageError("--max-unavailable is for pools: etcd members and masters go one at a time (a quorum, the API's replicas)");
  let start = 0;
  if (opts.from !== undefined) {
    start = tier.machines.findIndex((m) => m.name === opts.from);
    if (start < 0) throw new UsageError(`--from must name a machine of the tier: ${tier.machines.map((m) => m.name).join(", ")}`);
  }
  if (!opts.yes && !opts.dryRun && !process.stdin.isTTY)
    throw new UsageError("give --yes to roll without a prompt (standard input is not a terminal)");

  // the stack the replacements are planned in: what `slipway synth` wrote for this file
  const stack = openStack(cluster, opts);
  const { dir, tf } = stack;
  const addressOf = (m: NodePlan) => {
    const { name, key } = tier.resource(m);
    return stack.addressOf(name, key);
  };
  const rest = tier.machines.slice(start).map((m) => ({ m, address: addressOf(m) }));
  const batches: (typeof rest)[] = [];
  for (let i = 0; i < rest.length; i += size) batches.push(rest.slice(i, i + size));

  const what = opts.role === "pool" ? `pool ${opts.pool}` : opts.role;
  console.log(`rolling ${what} of ${cluster.config.name}, ${size === 1 ? "one machine" : `${size} machines`} at a time:`);
  for (const s of rest) console.log(`  ${s.m.name} (${s.m.ip}): ${s.address}`);
  if (start > 0)
    console.log(
      `  (from ${opts.from}: ${tier.machines
        .slice(0, start)
        .map((m) => m.name)
        .join(", ")} done before)`,
    );

  // Kubernetes' version-skew policy: refused before anything is touched
  if (kube) {
    const { checkSkew } = require("./version-skew") as typeof import("./version-skew");
    const skew = await checkSkew(cluster, opts.role === "pool" ? "pool" : "master", kube);
    if (skew.problems.length)
      throw new UserError(
        `Kubernetes' version-skew policy forbids this roll (${skew.running}): ${skew.problems.join("; ")}. Nothing was replaced`,
      );
    console.log(`  versions: ${skew.running}`);
  }

  const before = await tier.unwell();
  if (before.length) throw new UserError(`the tier is not healthy, so nothing was replaced: ${before.join("; ")}`);
  console.log(`  all ${tier.machines.length} healthy`);

  if (!opts.yes && !opts.dryRun) await confirmByName(cluster, "Each machine above is destroyed and made again.");

  const base = tf(["plan", "-input=false", "-lock-timeout=60s", "-detailed-exitcode"], true);
  if (base.status === 2)
    throw new UserError(
      `terraform plan shows changes in ${printable(dir)} besides the roll: apply them on their own first (terraform apply), then roll. Nothing was replaced`,
    );
  if (base.status !== 0) throw new UserError(`terraform plan failed: ${lastLine(base.stderr || base.stdout)}. Nothing was replaced`);

  for (const [i, batch] of batches.entries()) {
    const machines = batch.map((b) => b.m);
    const first = (machines[0] as NodePlan).name;
    const where = `${machines.map((m) => m.name).join(", ")} (${i + 1} of ${batches.length})`;
    const resume = `Machines before it are done; go on with --from ${first}`;
    console.log(`\n${where}: planning the replacement of ${batch.map((b) => b.address).join(", ")}`);
    const planFile = join(dir, PLAN_FILE);
    try {
      const p = tf(["plan", "-input=false", "-lock-timeout=60s", ...batch.map((b) => `-replace=${b.address}`), `-out=${PLAN_FILE}`], true);
      if (p.status !== 0) throw new UserError(`${where}: terraform plan failed: ${lastLine(p.stderr || p.stdout)}. ${resume}`);
      const changes = stack.changes(PLAN_FILE);
      for (const { address } of batch)
        if (!changes.some((c) => c.address === address && c.actions.includes("delete") && c.actions.includes("create")))
          throw new UserError(`${where}: the plan does not replace ${address} (is it in the state?). Nothing was applied. ${resume}`);
      for (const c of changes) console.log(`  ${c.actions.join("/")} ${c.address}`);
      if (opts.dryRun) continue;
      try {
        await tier.before?.(machines);
      } catch (e) {
        throw e instanceof UserError ? new UserError(`${e.message}. Nothing was replaced in this step. ${resume}`) : e;
      }
      const a = tf(["apply", "-input=false", "-lock-timeout=60s", PLAN_FILE]);
      if (a.status !== 0)
        throw new UserError(`${where}: terraform apply failed (exit ${a.status}). Run the roll again with --from ${first}`);
    } finally {
      rmSync(planFile, { force: true });
    }
    // back (the replaced machines themselves), then healthy (the whole tier)
    const t0 = Date.now();
    const next = batches[i + 1]?.[0]?.m.name ?? "(none: it was the last)";
    let back = !tier.back;
    for (;;) {
      const bad = back ? await tier.unwell() : await (tier.back as NonNullable<Tier["back"]>)(machines);
      if (bad.length === 0 && !back) {
        await tier.after?.(machines);
        back = true;
        continue;
      }
      if (bad.length === 0) break;
      if (Date.now() - t0 > wait * 1000)
        throw new UserError(
          `${where}: replaced, but ${back ? "the tier is not healthy" : "not back"} after ${wait} s (${bad.join("; ")}); the roll stopped. When it is, go on with --from ${next}`,
        );
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    console.log(
      `  ${machines.map((m) => m.name).join(", ")} replaced; all ${tier.machines.length} healthy after ${Math.round((Date.now() - t0) / 1000)} s`,
    );
  }
  console.log(
    opts.dryRun ? "\ndry run: nothing was applied" : `\n${what} of ${cluster.config.name} rolled: ${rest.length} machine(s) replaced`,
  );
}
