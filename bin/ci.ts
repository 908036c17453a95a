// `slipway ci gitlab|github [--clusters DIR] [--out FILE]`: a pipeline for a repository of cluster
// files (bin/ci-pipelines.ts), and `slipway ci summary PLAN.json`: the readable summary of a saved
// plan its plan jobs print. Run from the repository's root: the pipeline names files relative to it.
import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { cloudOf } from "../clusters/model/clouds";
import type { CiVariable } from "../clusters/model/cloud";
import type { ClusterConfig } from "../clusters/model/schema";
import { loadCluster } from "../clusters/model/load";
import { mayReplace, writeFileSafely } from "../clusters/model/safe-files";
import { CI_MARK, type CiCluster, githubWorkflow, gitlabPipeline, type PipelineOptions } from "./ci-pipelines";
import { printable, UsageError, UserError } from "./errors";

/** what lands in YAML keys, shell lines and GitHub expressions: plain names only */
const SAFE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export interface CiOptions {
  clusters: string;
  out?: string;
  terraform: string;
  branch: string;
}

/** the credentials the state backend and the DNS provider read, besides the cloud's */
function sharedVariables(config: ClusterConfig): CiVariable[] {
  const vars: CiVariable[] = [];
  if (config.backend.type === "s3")
    vars.push(
      { name: "AWS_ACCESS_KEY_ID", what: "the state bucket's access key (backend s3)" },
      { name: "AWS_SECRET_ACCESS_KEY", what: "its secret" },
    );
  if (config.backend.type === "http")
    vars.push({ name: "TF_HTTP_USERNAME", what: "the state API's user (backend http)" }, { name: "TF_HTTP_PASSWORD", what: "its token" });
  if (config.dns) vars.push({ name: "CLOUDFLARE_API_TOKEN", what: "a Cloudflare token that may edit the zone's DNS records" });
  return vars;
}

export function ciClusters(dir: string): CiCluster[] {
  if (isAbsolute(dir) || normalize(dir).split(sep)[0] === "..")
    throw new UsageError(`--clusters must be a folder inside this repository, given relative to its root, not ${printable(dir)}`);
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    throw new UserError(`${printable(dir)}: not a folder of cluster files`);
  }
  names.sort();
  if (!names.length) throw new UserError(`${printable(dir)}: no cluster files (*.yaml) in it`);
  const clusters: CiCluster[] = [];
  const byName = new Map<string, string>();
  for (const n of names) {
    const file = relative(".", join(dir, n)).split(sep).join("/");
    if (!SAFE_PATH.test(file))
      throw new UserError(`${printable(file)}: a pipeline names files by letters, digits and . _ - only; rename it`);
    const { config } = loadCluster(file);
    const other = byName.get(config.name);
    if (other) throw new UserError(`${file}: cluster ${config.name} is ${other}'s name too; each cluster needs its own name (and state)`);
    byName.set(config.name, file);
    if (config.backend.type === "local")
      throw new UserError(
        `${file}: backend.type is local: a pipeline's jobs share no disk, so each apply would start from an empty state; give it an s3 or http backend`,
      );
    const cloud = cloudOf(config).ci(config as never);
    clusters.push({
      file,
      name: config.name,
      cloud: config.cloud,
      region: cloud.region,
      variables: [...cloud.variables, ...sharedVariables(config)],
    });
  }
  return clusters;
}

export function ciCommand(kind: "gitlab" | "github", opts: CiOptions): void {
  if (opts.terraform !== "terraform" && opts.terraform !== "tofu")
    throw new UsageError(`--terraform must be terraform or tofu, not ${printable(opts.terraform)}`);
  if (!/^[A-Za-z0-9._/-]+$/.test(opts.branch)) throw new UsageError(`--branch must be a branch name, not ${printable(opts.branch)}`);
  if (opts.out === "") throw new UsageError("--out needs a file name");
  if (opts.out) mayReplace(opts.out, "a pipeline", (head) => head.subarray(0, 200).toString("utf8").startsWith(CI_MARK), 1 << 20);
  const clusters = ciClusters(opts.clusters);
  const p: PipelineOptions = { terraform: opts.terraform, branch: opts.branch };
  const text = kind === "gitlab" ? gitlabPipeline(clusters, p) : githubWorkflow(clusters, p);
  if (!opts.out) {
    process.stdout.write(text);
    return;
  }
  writeFileSafely(opts.out, text, 0o644);
  process.stderr.write(`Wrote ${printable(opts.out)}: ${clusters.length} cluster${clusters.length === 1 ? "" : "s"} (${kind})\n`);
}

interface PlanJson {
  resource_changes?: { address: string; type: string; change: { actions: string[] } }[];
}

/** what an address's change is called, from Terraform's action list */
function actionOf(actions: string[]): "create" | "update" | "replace" | "delete" | "read" | "no-op" {
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  return (actions[0] ?? "no-op") as "create" | "update" | "delete" | "read" | "no-op";
}

/**
 * The summary of `terraform show -json` of a saved plan: counts, then every address that changes
 * (what would be destroyed first). Addresses and actions only: the plan's values (keys among them)
 * are never read into it. With `gitlabReport`, GitLab's Terraform report too (its counts).
 */
export function planSummary(file: string, gitlabReport?: string): string {
  let plan: PlanJson;
  try {
    plan = JSON.parse(readFileSync(file, "utf8")) as PlanJson;
  } catch (e) {
    throw new UserError(`${printable(file)}: not the JSON of a plan (terraform show -json PLAN): ${(e as Error).message.split("\n")[0]}`);
  }
  if (!plan || typeof plan !== "object" || ("resource_changes" in plan && !Array.isArray(plan.resource_changes)))
    throw new UserError(`${printable(file)}: not the JSON of a plan (terraform show -json PLAN)`);
  const changes = (plan.resource_changes ?? [])
    .map((r) => ({ address: r.address, action: actionOf(r.change?.actions ?? []) }))
    .filter((r) => r.action !== "no-op" && r.action !== "read");
  const count = (a: string) => changes.filter((c) => c.action === a).length;
  const order = ["delete", "replace", "update", "create"] as const;
  const lines = [
    `### Plan: ${count("create")} to create, ${count("update")} to update, ${count("replace")} to replace, ${count("delete")} to destroy`,
    "",
  ];
  const lost = changes.filter((c) => c.action === "delete" || c.action === "replace");
  if (lost.length)
    lines.push(
      `**${lost.length} resource${lost.length === 1 ? " is" : "s are"} destroyed** (replaced or deleted): read them before you approve.`,
      "",
    );
  if (changes.length) {
    lines.push("| action | resource |", "|---|---|");
    for (const a of order)
      for (const c of changes.filter((x) => x.action === a)) lines.push(`| ${a} | \`${c.address.replace(/[|`]/g, "\\$&")}\` |`);
  } else lines.push("No changes: the infrastructure matches the cluster file.");
  if (gitlabReport) {
    mayReplace(gitlabReport, "a plan report", (head) => /^\{"create":\d+,"update":\d+,"delete":\d+\}\n?$/.test(head.toString("utf8")), 200);
    writeFileSafely(
      gitlabReport,
      `${JSON.stringify({ create: count("create") + count("replace"), update: count("update"), delete: count("delete") + count("replace") })}\n`,
      0o644,
    );
  }
  return `${lines.join("\n")}\n`;
}
