// `slipway etcd replace`: the terraform apply that replaces an etcd member names resources the
// synthesized stack really has — the instance alone when the volume is kept, the volume and its
// attachment too when it is not — on both clouds; what the new machine then does by itself is
// proved on real etcd in test/etcd-rejoin.test.ts (it starts as itself, or rejoins and copies).
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsCluster, DEMO_FILE, demoCluster, synthJson, tmp } from "./helpers/clusters";
import { slipway } from "./helpers/run";

const work = tmp("slipway-etcd-replace-");
afterAll(() => work.cleanup());

const replaced = (stdout: string) => [...stdout.matchAll(/-replace=(\S+)/g)].map((m) => m[1] as string);
const addresses = (tf: ReturnType<typeof synthJson>) =>
  Object.entries(tf.resource as Record<string, Record<string, unknown>>).flatMap(([t, rs]) => Object.keys(rs).map((n) => `${t}.${n}`));

describe("slipway etcd replace", () => {
  it("keeps the volume by default: replaces the instance only, which the stack has", () => {
    const r = slipway(["etcd", "replace", "--member", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Replacing etcd member demo-etcd-1 (10.0.0.17) of demo:");
    expect(r.stdout).toMatch(/^terraform -chdir=cdktf\.out\/stacks\/demo apply -replace=\S+$/m);
    const targets = replaced(r.stdout);
    expect(targets).toEqual(["openstack_compute_instance_v2.etcd_1"]);
    const all = addresses(synthJson(demoCluster()));
    for (const t of targets) expect(all).toContain(t);
  });

  it("with --new-volume replaces the volume and its attachment too, and says that preventDestroy must be lifted", () => {
    for (const [args, cluster] of [
      [["--member", "2"], demoCluster()],
      [["clusters/demo-aws.yaml", "--member", "2"], awsCluster()],
    ] as const) {
      const r = slipway(["etcd", "replace", ...args, "--new-volume"]);
      expect(r.code, r.stderr).toBe(0);
      const targets = replaced(r.stdout);
      expect(targets).toHaveLength(3);
      const all = addresses(synthJson(cluster));
      for (const t of targets) expect(all, t).toContain(t);
      expect(targets.map((t) => t.slice(t.indexOf(".") + 1))).toEqual(["etcd_2", "etcd_2_data", "etcd_2_data_attach"]);
      expect(r.stdout).toContain("removes the old member from the cluster, adds itself again");
      expect(r.stdout).toContain("etcd.preventDestroy is true");
    }
  });

  it("refuses what would lose the cluster or names no member, in one line", () => {
    const single = join(work.dir, "single.yaml");
    writeFileSync(single, readFileSync(DEMO_FILE, "utf8").replace(/etcd:\n(\s+)count: 3/, "etcd:\n$1count: 1"));
    const cases: [string[], number, RegExp][] = [
      [["etcd", "replace", "--member", "3"], 2, /^slipway: --member must be one of 0\.\.2 \(the cluster has 3 etcd members\)$/],
      [["etcd", "replace"], 2, /^slipway: give --member N: which etcd member to replace$/],
      [["etcd", "replace", "--member", "1.5"], 2, /--member/],
      [["etcd", "replace", single, "--member", "0", "--new-volume"], 1, /is the only etcd member: .* Restore from a backup instead/],
    ];
    for (const [args, code, message] of cases) {
      const r = slipway(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(code);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    expect(slipway(["etcd", "replace", single, "--member", "0", "--new-volume", "--force"]).code).toBe(0);
  });
});
