// `slipway roll --role pool`: the real terraform binary replacing a stand-in pool (one
// terraform_data for_each over the pool's machines, keyed by name as the OpenStack stack keys
// its instances) and the drain through a stand-in of the Kubernetes API (test/helpers/kube-api.ts;
// no API server runs here), reached with a kubeconfig and mutual TLS as the admin kubeconfig is.
// What only a real cluster proves: that pods really move and a real kubelet re-registers.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_AWS_FILE, demoCluster, tmp } from "./helpers/clusters";
import { type KubeApiStandIn, type KubePki, kubeApiPki, kubeApiStandIn, type StandInPod, writeKubeconfig } from "./helpers/kube-api";
import { expectOneLineRefusals, slipwayAsync } from "./helpers/run";
import { OFFLINE_ENV, terraformIn } from "./helpers/terraform";

const work = tmp("slipway-roll-pool-");
const stack = join(work.dir, "stack");
const pool = demoCluster().plan.pools.find((p) => p.name === "general");
const nodes = (pool?.nodes ?? []).map((n) => n.name);
const masters = demoCluster().plan.masters.map((m) => m.name);
let api: KubeApiStandIn;
let pki: KubePki;
let kubeconfig: string;

const tf = terraformIn(stack);

function podsFor(): StandInPod[] {
  return nodes.flatMap((node, i) => [
    { namespace: "shop", name: `web-${i}`, node, owner: "ReplicaSet" },
    { namespace: "kube-system", name: `kube-flannel-${i}`, node, owner: "DaemonSet" },
    { namespace: "kube-system", name: `static-${i}`, node, mirror: true },
  ]);
}

beforeAll(async () => {
  expect(nodes).toHaveLength(3);
  pki = kubeApiPki(join(work.dir, "pki"));
  mkdirSync(stack, { recursive: true });
  writeFileSync(
    join(stack, "cdk.tf.json"),
    JSON.stringify({
      resource: {
        terraform_data: {
          pool_general: {
            for_each: `\${toset(${JSON.stringify(nodes)})}`,
            input: "${each.key}",
            // the new machine boots: its kubelet will report a new boot id
            provisioner: [{ "local-exec": { command: `date +%N > ${work.dir}/booted-\${each.key}` } }],
          },
        },
      },
    }),
  );
  tf(["init", "-input=false", "-no-color"]);
  tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
}, 120_000);

beforeEach(async () => {
  await api?.close();
  // the masters' Nodes too: the roll reads the API servers' version from them
  api = await kubeApiStandIn({ tls: pki.tls, nodes: [...masters, ...nodes], pods: podsFor(), bootDir: work.dir, bootSeconds: 2 });
  kubeconfig = writeKubeconfig(join(work.dir, "admin.conf"), api.url, pki);
});

afterAll(async () => {
  await api?.close();
  work.cleanup();
});

const roll = (extra: string[]) =>
  slipwayAsync(["roll", "--role", "pool", "--pool", "general", "--stack", stack, "--kubeconfig", kubeconfig, "--yes", ...extra], {
    env: OFFLINE_ENV,
    timeoutMs: 300_000,
  });

describe("slipway roll --role pool", () => {
  it("drains each node (not its DaemonSet or static pods), replaces it, waits for the new machine's node, uncordons it", async () => {
    const r = await roll([]);
    expect(r.code, r.stderr).toBe(0);
    expect(api.events).toEqual(nodes.flatMap((n, i) => [`evict shop/web-${i}`, `boot ${n}`]));
    expect(api.pods.map((p) => p.name).sort()).toEqual([
      "kube-flannel-0",
      "kube-flannel-1",
      "kube-flannel-2",
      "static-0",
      "static-1",
      "static-2",
    ]);
    for (const n of nodes) expect(api.unschedulable(n), n).toBe(false);
    expect(r.stdout).toContain(`delete/create terraform_data.pool_general["${nodes[1]}"]`);
    expect(r.stdout).toContain("pool general of demo rolled: 3 machine(s) replaced");
  }, 300_000);

  it("replaces nothing of a node whose pods a disruption budget holds, and says where to go on", async () => {
    api.protectedPods.add("shop/web-1");
    const r = await roll(["--drain-timeout", "3"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `slipway: ${nodes[1]}: shop/web-1 cannot be evicted within 3 s (a PodDisruptionBudget allows no disruption); the node stays cordoned. Nothing was replaced in this step. Machines before it are done; go on with --from ${nodes[1]}`,
    );
    expect(api.events).toEqual([`evict shop/web-0`, `boot ${nodes[0]}`]);
    expect(api.unschedulable(nodes[1] as string)).toBe(true);
  }, 300_000);

  it("replaces --max-unavailable nodes at once, in one plan", async () => {
    const r = await roll(["--max-unavailable", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(api.events).toEqual([
      `evict shop/web-0`,
      `evict shop/web-1`,
      `boot ${nodes[0]}`,
      `boot ${nodes[1]}`,
      `evict shop/web-2`,
      `boot ${nodes[2]}`,
    ]);
    expect(r.stdout).toContain(`${nodes[0]}, ${nodes[1]} (1 of 2): planning`);
  }, 300_000);

  it("rolls a pool only to a version the API servers are at or above (control plane first), and within three minors", async () => {
    // the file says 1.36.1; the masters are not there yet
    for (const m of masters) api.kubelets.set(m, "v1.35.4");
    let r = await roll([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /version-skew policy forbids this roll \(masters run v1\.35\.4; the file says 1\.36\.1\): a kubelet of 1\.36 would be newer than demo-master-0's API server \(v1\.35\.4\): roll the masters to 1\.36 first\. Nothing was replaced/,
    );
    for (const m of masters) api.kubelets.set(m, "v1.40.0");
    r = await roll([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a kubelet of 1\.36 would be more than three minors behind demo-master-0's API server \(v1\.40\.0\)/);
    expect(api.events).toEqual([]);
    expect(nodes.some((n) => api.unschedulable(n))).toBe(false);
    // masters at 1.39 (three above): allowed
    for (const m of masters) api.kubelets.set(m, "v1.39.0");
    r = await roll(["--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it("refuses what it cannot do, in one line", async () => {
    const cases: [string[], number, RegExp][] = [
      [["roll", "--role", "pool", "--yes"], 2, /give --pool NAME with --role pool: one of general, logging/],
      [["roll", "--role", "pool", "--pool", "gpu", "--yes"], 2, /--pool must be one of general, logging, not gpu/],
      [["roll", "--role", "pool", "--pool", "general", "--yes"], 2, /give --kubeconfig FILE \(or KUBECONFIG\)/],
      [["roll", "--role", "etcd", "--max-unavailable", "2", "--yes"], 2, /--max-unavailable is for pools/],
      [
        ["roll", DEMO_AWS_FILE, "--role", "pool", "--pool", "general", "--yes"],
        1,
        /is an Auto Scaling group: its instances are replaced by an instance refresh/,
      ],
    ];
    await expectOneLineRefusals(cases, { KUBECONFIG: "" });
  }, 120_000);
});
