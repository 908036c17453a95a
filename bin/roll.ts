// `slipway roll [file] --role etcd|master`: replace a tier's machines one at a time — for a new
// Flatcar image, a new Kubernetes version, or new configs — with terraform (or tofu) doing each
// replacement and the tier's own health deciding when the next may go.
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
// and its local API load balancer's.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import type { NodePlan } from "../clusters/model/placement";
import { API_LB_PORT, PORTS } from "../clusters/model/ports";
import { ETCD_METRICS } from "../bootstrap/parts/etcd-member";
import { UsageError, UserError } from "./errors";
import { type RunRemote, seconds, sshRunner } from "./remote";

export interface RollOptions {
  role?: string;
  out: string;
  stack?: string;
  terraform: string;
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

interface Tier {
  machines: NodePlan[];
  /** the Terraform resource (by name) of a machine's instance */
  resource: (m: NodePlan) => string;
  /** the health checks of the whole tier: each machine, a command that exits 0 when it is well */
  checks: { what: string; command: string }[];
}

function tierOf(cluster: Cluster, role: string): Tier {
  const { plan } = cluster;
  if (role === "etcd")
    return {
      machines: plan.etcd,
      resource: (m) => `etcd_${m.index}`,
      checks: [{ what: "etcd health", command: `curl -fsS --max-time 10 ${ETCD_METRICS}/health` }],
    };
  if (role === "master")
    return {
      machines: plan.masters,
      resource: (m) => `master_${m.index}`,
      checks: [
        { what: "API /readyz", command: `curl -fsSk --max-time 10 https://127.0.0.1:${PORTS.apiserver}/readyz` },
        { what: "local API load balancer", command: `curl -fsSk --max-time 10 https://127.0.0.1:${API_LB_PORT}/readyz` },
      ],
    };
  throw new UsageError(`--role must be etcd or master, not ${printable(role)} (rolling worker pools is not built yet)`);
}

interface PlanJson {
  resource_changes?: { address: string; change?: { actions?: string[] } }[];
}

export async function rollCommand(cluster: Cluster, opts: RollOptions): Promise<void> {
  if (!opts.role) throw new UsageError("give --role etcd or --role master: which tier to roll");
  const tier = tierOf(cluster, opts.role);
  const wait = seconds("--wait", opts.wait, 7200);
  const run = sshRunner(opts.ssh, opts.user, 60_000);
  if (!/^[A-Za-z0-9._/-]+$/.test(opts.terraform)) throw new UsageError(`--terraform must name a program, not ${printable(opts.terraform)}`);
  let start = 0;
  if (opts.from !== undefined) {
    start = tier.machines.findIndex((m) => m.name === opts.from);
    if (start < 0) throw new UsageError(`--from must name a machine of the tier: ${tier.machines.map((m) => m.name).join(", ")}`);
  }
  if (!opts.yes && !opts.dryRun && !process.stdin.isTTY)
    throw new UsageError("give --yes to roll without a prompt (standard input is not a terminal)");

  // The stack the replacements are planned in: what `slipway synth` wrote for this file, and
  // nothing else — a stale one would roll machines onto an old config.
  const { synthesizedStack, addressesIn } = require("../stacks/app") as typeof import("../stacks/app");
  const synthesized = synthesizedStack(cluster);
  const dir = opts.stack ?? join(opts.out, "stacks", synthesized.stackName);
  const jsonFile = join(dir, "cdk.tf.json");
  if (!existsSync(jsonFile)) throw new UserError(`${printable(dir)}: no cdk.tf.json — run slipway synth ${printable(cluster.file)} first`);
  const onDisk = readFileSync(jsonFile, "utf8");
  if (opts.stack) console.log(`using the stack in ${printable(dir)} as it is (--stack): not compared with the cluster file`);
  else if (onDisk !== synthesized.text)
    throw new UserError(
      `${printable(jsonFile)} is not what ${printable(cluster.file)} synthesizes now: run slipway synth ${printable(cluster.file)} --out ${printable(opts.out)} first`,
    );
  const addresses = addressesIn(onDisk);
  const addressOf = (m: NodePlan) => {
    const name = tier.resource(m);
    const found = addresses.filter((a) => a.slice(a.indexOf(".") + 1) === name);
    if (found.length !== 1) throw new UserError(`${printable(jsonFile)}: ${found.length ? "more than one" : "no"} resource named ${name}`);
    return found[0] as string;
  };
  const steps = tier.machines.slice(start).map((m) => ({ m, address: addressOf(m) }));

  console.log(`rolling ${opts.role} of ${cluster.config.name}, one machine at a time:`);
  for (const s of steps) console.log(`  ${s.m.name} (${s.m.ip}): ${s.address}`);
  if (start > 0)
    console.log(
      `  (from ${opts.from}: ${tier.machines
        .slice(0, start)
        .map((m) => m.name)
        .join(", ")} done before)`,
    );

  const before = unwell(run, tier);
  if (before.length) throw new UserError(`the tier is not healthy, so nothing was replaced: ${before.join("; ")}`);
  console.log(`  all ${tier.machines.length} healthy`);

  if (!opts.yes && !opts.dryRun) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Each machine above is destroyed and made again. Type the cluster's name to go on: `);
    rl.close();
    if (answer.trim() !== cluster.config.name) throw new UserError("not confirmed; nothing was changed");
  }

  const tf = (args: string[], capture = false) => {
    const r = spawnSync(opts.terraform, [`-chdir=${dir}`, ...args], {
      encoding: "utf8",
      stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
      maxBuffer: 256 << 20,
    });
    if (r.error)
      throw new UserError(
        `${printable(opts.terraform)}: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "no such command (--terraform)" : r.error.message}`,
      );
    return r;
  };

  const base = tf(["plan", "-input=false", "-lock-timeout=60s", "-detailed-exitcode"], true);
  if (base.status === 2)
    throw new UserError(
      `terraform plan shows changes in ${printable(dir)} besides the roll: apply them on their own first (terraform apply), then roll. Nothing was replaced`,
    );
  if (base.status !== 0) throw new UserError(`terraform plan failed: ${lastLine(base.stderr || base.stdout)}. Nothing was replaced`);

  for (const [i, { m, address }] of steps.entries()) {
    const where = `${m.name} (${i + 1} of ${steps.length})`;
    const resume = `Machines before it are done; go on with --from ${m.name}`;
    console.log(`\n${where}: planning the replacement of ${address}`);
    const planFile = join(dir, PLAN_FILE);
    try {
      const p = tf(["plan", "-input=false", "-lock-timeout=60s", `-replace=${address}`, `-out=${PLAN_FILE}`], true);
      if (p.status !== 0) throw new UserError(`${where}: terraform plan failed: ${lastLine(p.stderr || p.stdout)}. ${resume}`);
      const shown = tf(["show", "-json", PLAN_FILE], true);
      if (shown.status !== 0) throw new UserError(`${where}: terraform show failed: ${lastLine(shown.stderr)}. ${resume}`);
      const changes = changesOf(JSON.parse(shown.stdout) as PlanJson);
      if (!changes.some((c) => c.address === address && c.actions.includes("delete") && c.actions.includes("create")))
        throw new UserError(`${where}: the plan does not replace ${address} (is it in the state?). Nothing was applied. ${resume}`);
      for (const c of changes) console.log(`  ${c.actions.join("/")} ${c.address}`);
      if (opts.dryRun) continue;
      const a = tf(["apply", "-input=false", "-lock-timeout=60s", PLAN_FILE]);
      if (a.status !== 0)
        throw new UserError(`${where}: terraform apply failed (exit ${a.status}). Run the roll again with --from ${m.name}`);
    } finally {
      rmSync(planFile, { force: true });
    }
    const t0 = Date.now();
    for (;;) {
      const bad = unwell(run, tier);
      if (bad.length === 0) break;
      if (Date.now() - t0 > wait * 1000)
        throw new UserError(
          `${where}: replaced, but the tier is not healthy after ${wait} s (${bad.join("; ")}); the roll stopped. When it is, go on with --from ${steps[i + 1]?.m.name ?? "(none: it was the last)"}`,
        );
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    console.log(`  ${m.name} replaced; all ${tier.machines.length} healthy after ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  console.log(
    opts.dryRun ? "\ndry run: nothing was applied" : `\n${opts.role} of ${cluster.config.name} rolled: ${steps.length} machine(s) replaced`,
  );
}

/** Every check that fails on any machine of the tier, as "name: what (why)". */
function unwell(run: RunRemote, tier: Tier): string[] {
  const bad: string[] = [];
  for (const m of tier.machines)
    for (const c of tier.checks) {
      const r = run(m.ip, c.command);
      if (r.code !== 0)
        bad.push(
          `${m.name}: ${c.what} ${r.code === 255 ? `unreachable over ssh (${lastLine(r.stderr)})` : `fails (${lastLine(r.stderr || r.stdout) || `exit ${r.code}`})`}`,
        );
    }
  return bad;
}

/** What the plan changes (no-ops and reads left out). */
function changesOf(plan: PlanJson): { address: string; actions: string[] }[] {
  return (plan.resource_changes ?? [])
    .map((r) => ({ address: r.address, actions: r.change?.actions ?? [] }))
    .filter((c) => !c.actions.every((a) => a === "no-op" || a === "read"));
}

const lastLine = (s: string) => printable(s.trim().split("\n").pop() ?? "").slice(0, 300);
