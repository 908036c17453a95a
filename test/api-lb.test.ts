// "Losing any one master loses nothing": the worker's rendered HAProxy config, run by Debian's
// haproxy in the worker's network namespace, in front of three stand-in API servers (openssl
// s_server with each master's rendered API server certificate and key, answering /readyz) at the
// masters' planned addresses. Clients on the worker verify the API server certificate against
// the cluster CA at 127.0.0.1:7443, and keep getting answers while masters are killed.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply, requireTool } from "./helpers/ignition";
import { runKubeCerts } from "./helpers/kube-certs";
import { Lab, type LabProcess } from "./helpers/lab";
import { NodeRoot } from "./helpers/node-root";

const work = tmp("slipway-apilb-");
const cluster = bakedDemoCluster();
const PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
let lab: Lab;
let worker: NodeRoot;
let workerNs: string;
const masters: { name: string; ns: string; dir: string; root: NodeRoot; server?: LabProcess }[] = [];

function startApiServer(m: (typeof masters)[number]) {
  m.server = lab.start(
    `apiserver-${m.name}`,
    m.ns,
    [
      "sh",
      "-c",
      `cd ${m.dir} && exec openssl s_server -quiet -accept 6443 -cert ${m.root.at("/etc/kubernetes/pki/apiserver.crt")} -key ${m.root.at("/etc/kubernetes/pki/apiserver.key")} -WWW`,
    ],
    { PATH },
  );
}

/** GET through the local load balancer, verifying the API server certificate for 127.0.0.1. */
function get(path: string) {
  return lab.exec(
    workerNs,
    ["curl", "-sS", "--max-time", "5", "--cacert", worker.at("/etc/kubernetes/pki/ca.crt"), `https://127.0.0.1:7443/${path}`],
    { PATH },
  );
}

beforeAll(async () => {
  requireTool("/usr/sbin/haproxy", "haproxy");
  lab = new Lab(work.dir, "l");
  const pki = join(work.dir, "pki");
  for (const m of cluster.plan.masters) {
    const root = new NodeRoot(join(work.dir, m.name));
    ignitionApply((await renderNode(cluster, { target: { role: "master", index: m.index }, pkiDir: pki })).config, root.root);
    runKubeCerts(root); // the master issues its API server certificate before anything starts
    const dir = join(work.dir, `www-${m.name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "readyz"), "ok");
    writeFileSync(join(dir, "whoami"), m.name);
    masters.push({ name: m.name, ns: lab.machine(`m${m.index}`, `${m.ip}/16`), dir, root });
  }
  worker = new NodeRoot(join(work.dir, "worker"));
  ignitionApply((await renderNode(cluster, { target: { role: "worker", pool: "general" }, pkiDir: pki })).config, worker.root);
  workerNs = lab.machine("w", `${cluster.plan.pools[0]?.nodes[0]?.ip}/16`);
  for (const m of masters) startApiServer(m);
  // the rendered config, as the api-lb unit would run it
  lab.start("haproxy", workerNs, ["haproxy", "-db", "-f", worker.at("/etc/slipway/api-lb.cfg")], { PATH });
});

afterAll(async () => {
  await lab.close();
  work.cleanup();
});

async function until(what: string, seconds: number, check: () => boolean) {
  const end = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > end)
      throw new Error(`${what}: not within ${seconds}s\n${readFileSync(join(work.dir, "haproxy.log"), "utf8").slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the local API load balancer", () => {
  it("serves the API servers on 127.0.0.1:7443 with a certificate valid for that address", async () => {
    await until("answers through haproxy", 20, () => get("readyz").stdout === "ok");
    const seen = new Set<string>();
    await until("every master answers", 20, () => {
      seen.add(get("whoami").stdout);
      return seen.size === 3;
    });
    expect([...seen].sort()).toEqual(cluster.plan.masters.map((m) => m.name));
  });

  it("keeps answering while masters are killed, one and then two", async () => {
    for (const victim of masters.slice(0, 2)) {
      if (!victim.server) throw new Error("not running");
      await lab.kill(victim.server);
      // every request right after the kill succeeds: haproxy retries on another master
      for (let i = 0; i < 10; i++) {
        const r = get("whoami");
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).not.toBe(victim.name);
      }
    }
    expect(get("whoami").stdout).toBe(masters[2]?.name);
  });

  it("uses a master again once it is back", async () => {
    const back = masters[0];
    if (!back) throw new Error("no master");
    startApiServer(back);
    await until(`${back.name} back in rotation`, 20, () => {
      const seen = new Set(Array.from({ length: 6 }, () => get("whoami").stdout));
      return seen.has(back.name);
    });
  });
});
