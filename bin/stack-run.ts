// Running terraform (or tofu) on the stack `slipway synth` wrote for a cluster file, for the
// day-two commands that change machines (roll, shrink): the stack must be what the file
// synthesizes now (a stale one would act on an old config), saved plans are read as JSON, and
// every failure is one line. Shared so each command states only its own steps.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import { UsageError, UserError } from "./errors";

export interface StackOptions {
  out: string;
  /** a stack folder used as it is (not compared with the cluster file) */
  stack?: string;
  terraform: string;
}

export interface Change {
  address: string;
  actions: string[];
}

export interface Stack {
  dir: string;
  /** terraform -chdir=dir …; its output captured, or shown to the operator */
  tf(args: string[], capture?: boolean): SpawnSyncReturns<string>;
  /** the address of the resource named `name` (any type), with `[key]` for a for_each */
  addressOf(name: string, key?: string): string;
  /** what a saved plan changes (no-ops and reads left out) */
  changes(planFile: string): Change[];
}

export function openStack(cluster: Cluster, opts: StackOptions): Stack {
  if (!/^[A-Za-z0-9._/-]+$/.test(opts.terraform)) throw new UsageError(`--terraform must name a program, not ${printable(opts.terraform)}`);
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
  return {
    dir,
    tf,
    addressOf: (name, key) => {
      const found = addresses.filter((a) => a.slice(a.indexOf(".") + 1) === name);
      if (found.length !== 1)
        throw new UserError(`${printable(jsonFile)}: ${found.length ? "more than one" : "no"} resource named ${name}`);
      return key === undefined ? (found[0] as string) : `${found[0]}[${JSON.stringify(key)}]`;
    },
    changes: (planFile) => {
      const shown = tf(["show", "-json", planFile], true);
      if (shown.status !== 0) throw new UserError(`terraform show failed: ${lastLine(shown.stderr)}`);
      let plan: { resource_changes?: { address: string; change?: { actions?: string[] } }[] };
      try {
        plan = JSON.parse(shown.stdout);
      } catch {
        throw new UserError(`terraform show -json ${planFile} printed no plan JSON (is ${printable(opts.terraform)} terraform or tofu?)`);
      }
      return (plan.resource_changes ?? [])
        .map((r) => ({ address: r.address, actions: r.change?.actions ?? [] }))
        .filter((c) => !c.actions.every((a) => a === "no-op" || a === "read"));
    },
  };
}

/** Nothing happens until the operator types the cluster's name (or gave --yes). */
export async function confirmByName(cluster: Cluster, what: string): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${what} Type the cluster's name to go on: `);
  rl.close();
  if (answer.trim() !== cluster.config.name) throw new UserError("not confirmed; nothing was changed");
}

export const lastLine = (s: string) => printable(s.trim().split("\n").pop() ?? "").slice(0, 300);
