// `slipway shrink`: the real terraform binary applying a lower pool count to a stand-in stack (a
// for_each instance and its port per machine, keyed by name as the OpenStack stack keys them),
// the leaving node drained first and its Node removed after, through the stand-in Kubernetes API
// (test/helpers/kube-api.ts). What only a real cluster proves: pods really moving elsewhere.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_AWS_FILE, demoCluster, tmp } from "./helpers/clusters";
import { type KubeApiStandIn, type KubePki, kubeApiPki, kubeApiStandIn, writeKubeconfig } from "./helpers/kube-api";
import { slipwayAsync } from "./helpers/run";
import { OFFLINE_ENV, terraformIn } from "./helpers/terraform";

const work = tmp("slipway-shrink-");
const stack = join(work.dir, "stack");
const nodes = (demoCluster().plan.pools.find((p) => p.name === "general")?.nodes ?? []).map((n) => n.name);
const tf = terraformIn(stack);
let api: KubeApiStandIn;
let pki: KubePki;
let kubeconfig: string;

/** The stand-in stack with `machines` of pool general (and one machine of pool logging). */
function writeStack(machines: string[], extra: Record<string, unknown> = {}): void {
  const each = (set: string[]) => `\${toset(${JSON.stringify(set)})}`;
  writeFileSync(
    join(stack, "cdk.tf.json"),
    JSON.stringify({
      resource: {
        terraform_data: {
          pool_general: { for_each: each(machines), input: "${each.key}" },
          pool_general_port: { for_each: each(machines), input: "${each.key}" },
          pool_logging: { for_each: each(["demo-logging-0"]), input: "${each.key}" },
          ...extra,
        },
      },
    }),
  );
}

const inState = () =>
  tf(["state", "list"])
    .trim()
    .split("\n")
    .filter((a) => a.startsWith("terraform_data.pool_general"))
    .sort();

beforeAll(() => {
  expect(nodes).toHaveLength(3);
  pki = kubeApiPki(join(work.dir, "pki"));
  mkdirSync(stack, { recursive: true });
  writeStack(nodes);
  tf(["init", "-input=false", "-no-color"]);
}, 120_000);

beforeEach(async () => {
  writeStack(nodes);
  tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
  await api?.close();
  api = await kubeApiStandIn({
    tls: pki.tls,
    nodes,
    pods: nodes.flatMap((node, i) => [
      { namespace: "shop", name: `web-${i}`, node, owner: "ReplicaSet" },
      { namespace: "kube-system", name: `kube-flannel-${i}`, node, owner: "DaemonSet" },
    ]),
    bootDir: work.dir,
    bootSeconds: 0,
  });
  kubeconfig = writeKubeconfig(join(work.dir, "admin.conf"), api.url, pki);
});

afterAll(async () => {
  await api?.close();
  work.cleanup();
});

const shrink = (extra: string[]) =>
  slipwayAsync(["shrink", "--stack", stack, "--kubeconfig", kubeconfig, "--yes", ...extra], { env: OFFLINE_ENV, timeoutMs: 300_000 });

describe("slipway shrink", () => {
  it("drains the machine a lower count removes, then destroys it (its port too), then deletes its Node; the others untouched", async () => {
    writeStack(nodes.slice(0, 2));
    const r = await shrink([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${nodes[2]} (pool general)`);
    expect(api.events).toEqual(["evict shop/web-2", `delete node ${nodes[2]}`]);
    expect(inState()).toEqual(
      nodes
        .slice(0, 2)
        .flatMap((n) => [`terraform_data.pool_general["${n}"]`, `terraform_data.pool_general_port["${n}"]`])
        .sort(),
    );
    expect(api.pods.some((p) => p.name === "kube-flannel-2")).toBe(true);
  }, 120_000);

  it("destroys nothing while a disruption budget holds a leaving node's pod", async () => {
    writeStack(nodes.slice(0, 2));
    api.protectedPods.add("shop/web-2");
    const r = await shrink(["--drain-timeout", "3"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `slipway: ${nodes[2]}: shop/web-2 cannot be evicted within 3 s (a PodDisruptionBudget allows no disruption); the node stays cordoned. Nothing was destroyed`,
    );
    expect(inState()).toHaveLength(6);
    expect(api.unschedulable(nodes[2] as string)).toBe(true);
  }, 120_000);

  it("refuses a plan that does more than remove machines, says so when none go, and --dry-run only names them", async () => {
    writeStack(nodes.slice(0, 2), { etcd_0: { input: "new" } });
    let r = await shrink([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the plan does more than remove worker machines: create terraform_data\.etcd_0 — apply that on its own/);
    expect(api.events).toEqual([]);
    writeStack(nodes);
    r = await shrink([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("the plan removes no worker machine: nothing to shrink");
    writeStack(nodes.slice(0, 1));
    r = await shrink(["--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${nodes[1]} \\(pool general\\)[\\s\\S]*${nodes[2]} \\(pool general\\)[\\s\\S]*dry run`));
    expect(api.events).toEqual([]);
    expect(inState()).toHaveLength(6);
    // an AWS file goes the Auto Scaling group's way (test/shrink-group.test.ts), from its own stack
    const aws = await slipwayAsync(["shrink", DEMO_AWS_FILE, "--out", join(work.dir, "nothing"), "--yes"], { env: { KUBECONFIG: "x" } });
    expect(aws.code).toBe(1);
    expect(aws.stderr).toMatch(/no cdk\.tf\.json — run slipway synth/);
  }, 120_000);
});
