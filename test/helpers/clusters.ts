// Building cluster files for tests: the demo with some fields changed, parsed through the same
// loader users go through, and synthesized into throwaway directories.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { synthesizeSync } from "../../stacks/app";
import { type Cluster, parseCluster } from "../../clusters/model/load";

export const ROOT = join(__dirname, "..", "..");
export const DEMO_FILE = join(ROOT, "clusters", "demo-openstack.yaml");
export const DEMO_AWS_FILE = join(ROOT, "clusters", "demo-aws.yaml");

export type Changes = [path: (string | number)[], value: unknown][];

/** An example file's YAML with `changes` applied (path → value; undefined deletes). */
function exampleYaml(file: string, changes: Changes): string {
  const doc = parseDocument(readFileSync(file, "utf8"));
  for (const [path, value] of changes) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  }
  return doc.toString();
}

/** The OpenStack demo (the embedded default) with `changes`. */
export const demoYaml = (changes: Changes = []) => exampleYaml(DEMO_FILE, changes);
export const demoCluster = (changes: Changes = []): Cluster => parseCluster(demoYaml(changes), "test.yaml");

/**
 * The OpenStack demo on an image with Kubernetes baked in (as `slipway image build` makes it):
 * nothing to download at first boot, for tests about something else than the download.
 */
export const bakedDemoYaml = (changes: Changes = []) => demoYaml([[["kubernetes", "binaries", "source"], "image"], ...changes]);
export const bakedDemoCluster = (changes: Changes = []): Cluster => parseCluster(bakedDemoYaml(changes), "test.yaml");

/** The baked demo as a file in `dir` (for the CLI), and its parsed cluster. */
export function bakedDemoFile(dir: string, changes: Changes = [], name = "baked-demo.yaml"): { file: string; cluster: Cluster } {
  const { mkdirSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  const text = bakedDemoYaml(changes);
  writeFileSync(file, text);
  return { file, cluster: parseCluster(text, file) };
}

/** The AWS demo with `changes`. */
export const awsYaml = (changes: Changes = []) => exampleYaml(DEMO_AWS_FILE, changes);
export const awsCluster = (changes: Changes = []): Cluster => parseCluster(awsYaml(changes), "aws.yaml");

export function tmp(prefix = "slipway-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type TfJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, unknown[]>;
  output?: Record<string, { value: unknown }>;
  terraform: Record<string, unknown>;
};

/** Synthesize for real (same path as `slipway synth`) and return the stack's Terraform JSON text. */
export function synthText(cluster: Cluster): string {
  const t = tmp();
  try {
    const s = synthesizeSync(cluster, join(t.dir, "out"));
    return readFileSync(join(t.dir, "out", "stacks", s.stackName, "cdk.tf.json"), "utf8");
  } finally {
    t.cleanup();
  }
}

/** The resources of one type in synthesized JSON, by name. */
export const resourcesOf = (tf: TfJson, type: string) => (tf.resource[type] ?? {}) as Record<string, Record<string, unknown>>;

export function synthJson(cluster: Cluster): TfJson {
  return JSON.parse(synthText(cluster)) as TfJson;
}
