// Synthesis: a validated Cluster → a cdktf App → Terraform JSON on disk, plus a summary.
// Nothing is written unless everything succeeded: the app is synthesized into a private scratch
// folder and its files are then put into the output folder one by one.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type TerraformStack } from "cdktf";
import { masterCertDays } from "../bootstrap/parts/kube-certs";
import type { Cluster } from "../clusters/model/load";
import { UserError } from "../clusters/model/errors";
import { interrupted, signalsNow, withCleanup } from "../clusters/model/interrupt";
import { claimFolder, commitFolder, describingErrors, fileHash } from "../clusters/model/safe-files";
import { clusterStack } from "./registry";
import { countedBytes, type UserDataBudget, userDataLimit } from "./userdata";

/** A problem with the cluster that only shows while building the stack (e.g. user_data too large). */
export class SynthError extends UserError {
  override readonly located = true;
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
  const stack = clusterStack(app, cluster);
  return { app, stack, budget: stack.budget };
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
  /** lifetimes of what Terraform issues, in days; the earliest expiry is `leafDays` after the first apply */
  certificates: {
    leafDays: number;
    caDays: number;
    renewBeforeDays: number;
    joinTokenDays: number;
    /** what masters issue themselves: lifetime and renewal, on the machine */
    master: { days: number; renew: number };
  };
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

/** What cdktf writes (manifest.json, stacks/<name>/cdk.tf.json), relative path → bytes. */
function filesIn(dir: string, rel = ""): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? join(rel, e.name) : e.name;
    if (e.isDirectory()) for (const [k, v] of filesIn(dir, r)) out.set(k, v);
    else out.set(r, readFileSync(join(dir, r)));
  }
  return out;
}

/**
 * An output folder of an older slipway (or of cdktf itself) carries no record, but its cdktf
 * manifest names the stack files it wrote.
 */
function cdktfOutput(real: string, entries: string[]): Map<string, string> | undefined {
  if (!entries.includes("manifest.json")) return undefined;
  try {
    const m = JSON.parse(readFileSync(join(real, "manifest.json"), "utf8")) as {
      version?: unknown;
      stacks?: Record<string, { synthesizedStackPath?: unknown }>;
    };
    if (typeof m.version !== "string" || typeof m.stacks !== "object" || m.stacks === null) return undefined;
    const written = new Map<string, string>();
    const record = (rel: string) => {
      const h = fileHash(join(real, rel));
      if (h) written.set(rel, h);
    };
    record("manifest.json");
    for (const s of Object.values(m.stacks))
      if (typeof s?.synthesizedStackPath === "string" && /^stacks\/[A-Za-z0-9_-]+\/cdk\.tf\.json$/.test(s.synthesizedStackPath))
        record(s.synthesizedStackPath);
    return written;
  } catch {
    return undefined;
  }
}

export const SYNTH_OUTPUT = "synth";

/** Build and check into `scratch`: the files cdktf wrote and the summary. */
function build(cluster: Cluster, outdir: string, scratch: string): { files: Map<string, Buffer>; summary: SynthSummary } {
  const { app, stack, budget } = buildApp(cluster, scratch);
  const problems = budget.problems();
  if (problems.length > 0) throw new SynthError(cluster.file, problems);
  app.synth();
  const files = filesIn(scratch);
  const stackFile = join("stacks", stack.node.id, "cdk.tf.json");
  const text = (files.get(stackFile) as Buffer).toString("utf8");
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
      limit: userDataLimit(cluster.config.cloud).bytes,
      countedAs: userDataLimit(cluster.config.cloud).counted,
    })),
    certificates: {
      leafDays: cluster.config.pki.certValidityDays,
      master: masterCertDays(cluster.config.pki),
      caDays: cluster.config.pki.caValidityDays,
      renewBeforeDays: cluster.config.pki.renewBeforeDays,
      joinTokenDays: cluster.config.kubernetes.joinTokenDays,
    },
  };
  return { files, summary };
}

const scratchFolder = () => describingErrors(tmpdir(), "create a scratch folder in", () => mkdtempSync(join(tmpdir(), "slipway-synth-")));

/**
 * Build, check and write. Throws SynthError (user-facing) without writing anything on failure.
 * The output folder must be new, empty or slipway's own (see clusters/model/safe-files.ts): its
 * files are replaced one by one, stacks an earlier run wrote and this one does not are removed,
 * and everything else there — Terraform's state, .terraform, plans — is left as it is. Ctrl-C or
 * SIGTERM removes the scratch folder, writes nothing and exits 130/143.
 */
export async function synthesize(cluster: Cluster, outdir: string): Promise<SynthSummary> {
  const folder = claimFolder(outdir, SYNTH_OUTPUT, cdktfOutput);
  let scratch: string | undefined;
  // the handlers are in place before the scratch folder exists
  return withCleanup(
    () => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
    async () => {
      scratch = scratchFolder();
      const { files, summary } = build(cluster, outdir, scratch);
      // an interrupt during the (synchronous) synthesis is handled here, before anything is written
      await signalsNow();
      if (interrupted()) return new Promise<never>(() => {});
      commitFolder(folder, SYNTH_OUTPUT, files);
      return summary;
    },
  );
}

/** The resource addresses synthesis makes for `cluster`, nothing written (`slipway etcd replace`). */
export function resourceAddresses(cluster: Cluster): { stackName: string; addresses: string[] } {
  const { stackName, text } = synthesizedStack(cluster);
  return { stackName, addresses: addressesIn(text) };
}

/** Every resource address (`type.name`) of a stack's Terraform JSON. */
export function addressesIn(text: string): string[] {
  const tf = JSON.parse(text) as { resource?: Record<string, Record<string, unknown>> };
  return Object.entries(tf.resource ?? {}).flatMap(([type, rs]) => Object.keys(rs).map((name) => `${type}.${name}`));
}

/** The stack's cdk.tf.json as `slipway synth` writes it, synthesized in a scratch folder. */
export function synthesizedStack(cluster: Cluster): { stackName: string; text: string } {
  const scratch = scratchFolder();
  try {
    const { files, summary } = build(cluster, "cdktf.out", scratch);
    const text = (files.get(join("stacks", summary.stackName, "cdk.tf.json")) as Buffer).toString("utf8");
    return { stackName: summary.stackName, text };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The same without the interrupt handling, for callers that cannot wait (tests, the bench). */
export function synthesizeSync(cluster: Cluster, outdir: string): SynthSummary {
  const folder = claimFolder(outdir, SYNTH_OUTPUT, cdktfOutput);
  const scratch = scratchFolder();
  try {
    const { files, summary } = build(cluster, outdir, scratch);
    commitFolder(folder, SYNTH_OUTPUT, files);
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
        (u.servedFrom
          ? `  a pointer: the config is in ${u.servedFrom}`
          : 2 * u.counted > u.limit
            ? "  over half the limit: little room to grow (openstack.configStore: swift moves it out)"
            : ""),
    ),
    "  certificates",
    `    earliest expiry          ${s.certificates.leafDays} days after the first terraform apply, of what only a new machine renews (slipway certs lists the dates)`,
    `    issued by Terraform      ${s.certificates.leafDays} days, CAs ${s.certificates.caDays}; re-issued ${s.certificates.renewBeforeDays} days before they end — a machine gets the new one when it is replaced`,
    `    issued by masters        the control plane's, ${s.certificates.master.days} days; each master renews its own ${s.certificates.master.renew} days before they end`,
    "    kubelets                 renew their own client and serving certificates",
    `    join tokens              change every ${s.certificates.joinTokenDays} days: apply at least that often`,
  ];
  return lines.join("\n");
}
