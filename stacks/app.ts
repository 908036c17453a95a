// Synthesis: a validated Cluster → a cdktf App → Terraform JSON on disk, plus a summary.
// Nothing is written unless everything succeeded: the app is synthesized into a scratch directory
// beside the output and swapped in at the end (which also drops stale stacks from earlier runs).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { App, type TerraformStack } from "cdktf";
import type { Cluster } from "./model/load";
import { AwsClusterStack } from "./aws/stack";
import { OpenstackClusterStack } from "./openstack/stack";
import { countedBytes, USER_DATA_LIMITS, type UserDataBudget } from "./userdata";

/** A problem with the cluster that only shows while building the stack (e.g. user_data too large). */
export class SynthError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join("\n"));
    this.name = "SynthError";
  }
}

export interface ClusterApp {
  app: App;
  stack: TerraformStack;
  budget: UserDataBudget;
}

export function buildApp(cluster: Cluster, outdir: string): ClusterApp {
  const app = new App({ outdir, skipValidation: false });
  const { config } = cluster;
  switch (config.cloud) {
    case "openstack": {
      const stack = new OpenstackClusterStack(app, cluster);
      return { app, stack, budget: stack.budget };
    }
    case "aws": {
      const stack = new AwsClusterStack(app, cluster);
      return { app, stack, budget: stack.budget };
    }
  }
}

export interface ResourceCount {
  type: string;
  /** resource blocks in the JSON */
  blocks: number;
  /** Terraform instances once for_each is expanded */
  instances: number;
}

export interface SynthSummary {
  file: string;
  cloud: string;
  stackName: string;
  stackFile: string;
  bytes: number;
  resources: ResourceCount[];
  machines: { etcd: number; masters: number; pools: { name: string; count: number }[] };
  userData: { label: string; maxBytes: number; counted: number; limit: number; countedAs: "raw" | "base64"; servedFrom?: string }[];
}

type TfJson = { resource?: Record<string, Record<string, { for_each?: unknown }>> };

/** Resource counts per type, expanding for_each over literal maps and over other resources. */
export function countResources(tf: TfJson): ResourceCount[] {
  const res = tf.resource ?? {};
  const instances = (type: string, name: string, depth = 0): number => {
    const fe = res[type]?.[name]?.for_each;
    if (fe === undefined) return 1;
    if (fe && typeof fe === "object") return Object.keys(fe).length;
    const m = typeof fe === "string" ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\}$/.exec(fe) : null;
    if (m && depth < 10) return instances(m[1] as string, m[2] as string, depth + 1);
    return Number.NaN;
  };
  return Object.keys(res)
    .sort()
    .map((type) => {
      const names = Object.keys(res[type] ?? {});
      return { type, blocks: names.length, instances: names.reduce((n, name) => n + instances(type, name), 0) };
    });
}

/** Build, check and write. Throws SynthError (user-facing) without writing anything on failure. */
export function synthesize(cluster: Cluster, outdir: string): SynthSummary {
  const target = resolve(outdir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const scratch = join(parent, `.${target.split("/").pop()}.tmp-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    const { app, stack, budget } = buildApp(cluster, scratch);
    const problems = budget.problems();
    if (problems.length > 0) throw new SynthError(cluster.file, problems);
    app.synth();

    const stackFile = join("stacks", stack.node.id, "cdk.tf.json");
    const text = readFileSync(join(scratch, stackFile), "utf8");
    const summary: SynthSummary = {
      file: cluster.file,
      cloud: cluster.config.cloud,
      stackName: stack.node.id,
      stackFile: join(outdir, stackFile),
      bytes: Buffer.byteLength(text),
      resources: countResources(JSON.parse(text) as TfJson),
      machines: {
        etcd: cluster.plan.etcd.length,
        masters: cluster.plan.masters.length,
        pools: cluster.plan.pools.map((p) => ({ name: p.name, count: p.count })),
      },
      userData: [...budget.sizes].map(([label, maxBytes]) => ({
        label,
        maxBytes,
        ...(budget.servedFrom.has(label) ? { servedFrom: budget.servedFrom.get(label) } : {}),
        counted: countedBytes(cluster.config.cloud, maxBytes),
        limit: USER_DATA_LIMITS[cluster.config.cloud].bytes,
        countedAs: USER_DATA_LIMITS[cluster.config.cloud].counted,
      })),
    };

    // swap the finished output in
    const old = `${scratch}.old`;
    if (existsSync(target)) {
      if (!statSync(target).isDirectory()) throw new SynthError(cluster.file, [`output ${outdir} exists and is not a directory`]);
      renameSync(target, old);
    }
    renameSync(scratch, target);
    rmSync(old, { recursive: true, force: true });
    return summary;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const kb = (n: number) => `${n.toLocaleString("en")} B`;

export function formatSummary(s: SynthSummary): string {
  const workers = s.machines.pools.reduce((n, p) => n + p.count, 0);
  const pools = s.machines.pools.map((p) => `${p.name} ${p.count}`).join(", ");
  const total = s.resources.reduce((n, r) => n + r.instances, 0);
  const width = Math.max(...s.resources.map((r) => r.type.length));
  const lines = [
    `Synthesized ${s.file} → ${s.stackFile} (${kb(s.bytes)})`,
    `  stack      ${s.stackName} (${s.cloud})`,
    `  machines   ${s.machines.etcd} etcd, ${s.machines.masters} masters, ${workers} workers in ${s.machines.pools.length} pool${s.machines.pools.length === 1 ? "" : "s"} (${pools})`,
    `  resources  ${total} to create:`,
    ...s.resources.map(
      (r) =>
        `    ${r.type.padEnd(width)}  ${String(r.instances).padStart(5)}${r.instances !== r.blocks ? `  (in ${r.blocks} block${r.blocks === 1 ? "" : "s"})` : ""}`,
    ),
    "  user_data  (upper bound once Terraform fills in certificates and ids)",
    ...s.userData.map(
      (u) =>
        `    ${u.label.padEnd(24)} ≤ ${kb(u.counted).padStart(9)}${u.countedAs === "base64" ? " base64" : ""}  of ${kb(u.limit)}  (${Math.round((100 * u.counted) / u.limit)}%)` +
        (u.servedFrom ? `  a pointer: the config is in ${u.servedFrom}` : ""),
    ),
  ];
  return lines.join("\n");
}
