// Building cluster files for tests: the demo with some fields changed, parsed through the same
// loader users go through, and synthesized into throwaway directories.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { synthesizeSync } from "../../stacks/app";
import { type Cluster, parseCluster } from "../../stacks/model/load";

export const ROOT = join(__dirname, "..", "..");
export const DEMO_FILE = join(ROOT, "clusters", "demo-openstack.yaml");

/** The demo's YAML with `changes` applied (path → value; undefined deletes). */
export function demoYaml(changes: [path: (string | number)[], value: unknown][] = []): string {
  const doc = parseDocument(readFileSync(DEMO_FILE, "utf8"));
  for (const [path, value] of changes) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  }
  return doc.toString();
}

export function demoCluster(changes: [path: (string | number)[], value: unknown][] = []): Cluster {
  return parseCluster(demoYaml(changes), "test.yaml");
}

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

export function synthJson(cluster: Cluster): TfJson {
  return JSON.parse(synthText(cluster)) as TfJson;
}
