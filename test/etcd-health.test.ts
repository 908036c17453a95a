// The etcd member's health check as its unit runs it (the rendered ExecStart, with the machine's
// curl), against a stand-in for etcd's /health on 127.0.0.1:2381 inside a network namespace of
// its own: etcd answers 503 {"health":"false"} while the member has no leader — during every
// election, and while a rebooted member catches up. The VM tier found the check failing on such
// a moment and leaving etcd-health.service failed; it must fail only for a member that stays
// without a leader.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ETCD_HEALTH } from "../bootstrap/parts/etcd-member";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { Lab } from "./helpers/lab";
import { NodeRoot } from "./helpers/node-root";

const work = tmp("slipway-health-");
const lab = new Lab(work.dir, "hl");
let member: NodeRoot;
let ns: string;

beforeAll(async () => {
  member = new NodeRoot(join(work.dir, "etcd"));
  ignitionApply(
    (await renderNode(bakedDemoCluster(), { target: { role: "etcd", index: 0 }, pkiDir: join(work.dir, "pki") })).config,
    member.root,
  );
  ns = lab.machine("etcd", "10.0.0.16/16");
});
afterAll(async () => {
  await lab.close();
  work.cleanup();
});

/** etcd's /health: false (503) for `sickSeconds` after start, then true; for ever when Infinity. */
function etcdHealth(name: string, sickSeconds: number) {
  const program = `
    const started = Date.now(), sick = ${Number.isFinite(sickSeconds) ? sickSeconds * 1000 : "Infinity"};
    require("node:http").createServer((req, res) => {
      const ok = req.url === "/health" && Date.now() - started >= sick;
      res.writeHead(ok ? 200 : 503, { "Content-Type": "application/json" })
        .end(JSON.stringify({ health: String(ok), reason: ok ? "" : "RAFT NO LEADER" }));
    }).listen(2381, "127.0.0.1", () => console.log("listening"));`;
  return lab.start(name, ns, [process.execPath, "-e", program], { PATH: process.env.PATH ?? "" });
}

/** Run etcd-health.service's command line, as systemd would, inside the member's namespace. */
function check(): Promise<{ code: number | null; seconds: number; output: string }> {
  const argv = member.unit("etcd-health.service").execStart;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, seconds: (Date.now() - started) / 1000, output }));
  });
}

describe("etcd-health", () => {
  it("passes when the member has a leader again within the grace (an election), without failing the unit", async () => {
    const p = etcdHealth("election", 12);
    const r = await check();
    expect(r.code, r.output).toBe(0);
    expect(r.seconds).toBeGreaterThan(10);
    await lab.kill(p);
  }, 60_000);

  it("fails when the member stays without a leader for the whole grace", async () => {
    const p = etcdHealth("no-leader", Number.POSITIVE_INFINITY);
    const r = await check();
    expect(r.code, r.output).not.toBe(0);
    // it asked again and again before failing: ETCD_HEALTH.retries × ETCD_HEALTH.delaySeconds
    expect(r.seconds).toBeGreaterThanOrEqual(ETCD_HEALTH.retries * ETCD_HEALTH.delaySeconds - 1);
    await lab.kill(p);
  }, 120_000);
});
