// `slipway shrink` on AWS, where a pool is an Auto Scaling group: the real terraform binary
// applying a lower count to a stand-in stack (the group a terraform_data named as the stack names
// it, its size its input), the Auto Scaling API a stand-in (test/helpers/autoscaling.ts: AWS's
// min-size rule kept) and the Kubernetes API the stand-in of test/helpers/kube-api.ts, whose
// Nodes carry the pool's label and EC2 provider ids. Proves: Slipway, not the group's termination
// policy, picks who goes (the zone with the most instances, its newest node), drains it before
// anything is terminated, lowers the minimum and terminates exactly that instance with the desired
// capacity decremented, then applies the plan and deletes the Node. What only AWS proves: that the
// real group then stays at the new size (it does by its own rules once min = desired).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsYaml, tmp } from "./helpers/clusters";
import { type AutoScalingStandIn, autoScalingStandIn } from "./helpers/autoscaling";
import { type KubeApiStandIn, type KubePki, kubeApiPki, kubeApiStandIn, writeKubeconfig } from "./helpers/kube-api";
import { slipwayAsync } from "./helpers/run";
import { OFFLINE_ENV, terraformIn } from "./helpers/terraform";

const work = tmp("slipway-shrink-group-");
const stack = join(work.dir, "stack");
const file = join(work.dir, "aws.yaml");
const tf = terraformIn(stack);
const GROUP = "demo-aws-general";
// three instances of pool general: two in zone a (the newer node on i-0a2), one in zone b
const INSTANCES = [
  { id: "i-0a1", zone: "eu-central-1a", node: "ip-10-0-128-10.eu-central-1.compute.internal", created: "2026-11-01T10:00:00Z" },
  { id: "i-0a2", zone: "eu-central-1a", node: "ip-10-0-128-11.eu-central-1.compute.internal", created: "2026-11-20T10:00:00Z" },
  { id: "i-0b1", zone: "eu-central-1b", node: "ip-10-0-160-10.eu-central-1.compute.internal", created: "2026-11-25T10:00:00Z" },
];
let asg: AutoScalingStandIn;
let api: KubeApiStandIn;
let pki: KubePki;
let kubeconfig: string;

function writeStack(count: number, extra: Record<string, unknown> = {}): void {
  writeFileSync(
    join(stack, "cdk.tf.json"),
    JSON.stringify({ resource: { terraform_data: { pool_general: { input: { min: count, max: count, desired: count } }, ...extra } } }),
  );
}

beforeAll(() => {
  pki = kubeApiPki(join(work.dir, "pki"));
  mkdirSync(stack, { recursive: true });
  writeStack(3);
  tf(["init", "-input=false", "-no-color"]);
  // the file: pool general down from 3 to 2
  writeFileSync(file, awsYaml([[["workers", 0, "count"], 2]]));
}, 120_000);

beforeEach(async () => {
  writeStack(3);
  tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
  writeStack(2);
  await asg?.close();
  asg = await autoScalingStandIn([
    { name: GROUP, min: 3, max: 3, desired: 3, instances: INSTANCES.map((i) => ({ id: i.id, zone: i.zone, state: "InService" as const })) },
  ]);
  await api?.close();
  api = await kubeApiStandIn({
    tls: pki.tls,
    nodes: INSTANCES.map((i) => i.node),
    pods: INSTANCES.map((i, k) => ({ namespace: "shop", name: `web-${k}`, node: i.node, owner: "ReplicaSet" })),
    bootDir: work.dir,
    bootSeconds: 0,
    nodeMeta: Object.fromEntries(
      INSTANCES.map((i) => [i.node, { labels: { "slipway/pool": "general" }, providerID: `aws:///${i.zone}/${i.id}`, created: i.created }]),
    ),
  });
  kubeconfig = writeKubeconfig(join(work.dir, "admin.conf"), api.url, pki);
});

afterAll(async () => {
  await asg?.close();
  await api?.close();
  work.cleanup();
});

const env = () => ({
  ...OFFLINE_ENV,
  AWS_ENDPOINT_URL_AUTO_SCALING: asg.url,
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
});
const shrink = (extra: string[] = []) =>
  slipwayAsync(["shrink", file, "--stack", stack, "--kubeconfig", kubeconfig, "--yes", ...extra], { env: env(), timeoutMs: 300_000 });

describe("slipway shrink of an Auto Scaling group", () => {
  it("picks the newest node of the fullest zone, drains it, lowers the minimum, terminates exactly it, applies, deletes its Node", async () => {
    const r = await shrink();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`${GROUP}: 3 → 2; leaving:\n  i-0a2 (eu-central-1a): node ${INSTANCES[1]?.node}`);
    const leaving = INSTANCES[1]?.node as string;
    // drained before anything was terminated; its Node deleted after
    expect(api.events).toEqual(["evict shop/web-1", `delete node ${leaving}`]);
    const calls = asg.calls.filter((c) => !c.startsWith("Describe"));
    expect(calls).toEqual([
      `UpdateAutoScalingGroup AutoScalingGroupName=${GROUP} MinSize=2`,
      "TerminateInstanceInAutoScalingGroup InstanceId=i-0a2 ShouldDecrementDesiredCapacity=true",
    ]);
    const g = asg.groups.get(GROUP);
    expect(g?.desired).toBe(2);
    expect(g?.instances.map((i) => i.id).sort()).toEqual(["i-0a1", "i-0b1"]);
    // the plan applied: the group's sizes in state are the file's
    expect(JSON.parse(tf(["show", "-json"])).values.root_module.resources[0].values.input).toEqual({ min: 2, max: 2, desired: 2 });
    // the others' pods stay
    expect(api.pods.map((p) => p.name).sort()).toEqual(["web-0", "web-2"]);
  }, 300_000);

  it("--dry-run names the instance and its node, and changes nothing", async () => {
    const r = await shrink(["--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("i-0a2 (eu-central-1a)");
    expect(r.stdout).toContain("dry run: nothing was drained, terminated or applied");
    expect(api.events).toEqual([]);
    expect(asg.calls.every((c) => c.startsWith("Describe"))).toBe(true);
  }, 300_000);

  it("terminates nothing when a disruption budget holds the leaving node's pods", async () => {
    api.protectedPods.add("shop/web-1");
    const r = await shrink(["--drain-timeout", "3"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Nothing was terminated/);
    expect(asg.calls.every((c) => c.startsWith("Describe"))).toBe(true);
    expect(asg.groups.get(GROUP)?.instances).toHaveLength(3);
  }, 300_000);

  it("refuses in one line: AWS refusing the call, a plan doing more, a plan that grows the group", async () => {
    asg.failWith = "AccessDenied";
    let r = await shrink();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^slipway: AWS Auto Scaling DescribeAutoScalingGroups: AccessDenied: User: arn:aws:iam::111122223333:user\/ops is not authorized$/,
    );
    expect(r.stderr).not.toContain("wJalrXUtnFEMI");
    asg.failWith = undefined;
    writeStack(2, { something_else: { input: "x" } });
    r = await shrink();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the plan does more than resize worker groups: create terraform_data\.something_else/);
    writeFileSync(file, awsYaml([[["workers", 0, "count"], 4]]));
    writeStack(4);
    try {
      r = await shrink();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the plan grows its worker groups, it removes no machine: apply it with terraform apply/);
    } finally {
      writeFileSync(file, awsYaml([[["workers", 0, "count"], 2]]));
    }
    expect(api.events).toEqual([]);
  }, 300_000);
});
