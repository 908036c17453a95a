// Node hardening, run for real: the rendered block-metadata step, with real iptables, in network
// namespaces shaped like a node: a pod behind the node, the metadata service (169.254.169.254)
// beyond it.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply, requireTool } from "./helpers/ignition";
import { Lab } from "./helpers/lab";
import { NodeRoot } from "./helpers/node-root";

const PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
const work = tmp("slipway-harden-");
const cluster = bakedDemoCluster();
let worker: NodeRoot;

beforeAll(async () => {
  worker = new NodeRoot(join(work.dir, "worker"));
  ignitionApply(
    (await renderNode(cluster, { target: { role: "worker", pool: "general" }, pkiDir: join(work.dir, "pki") })).config,
    worker.root,
  );
});
afterAll(() => work.cleanup());

describe("pods cannot reach the metadata service", () => {
  let lab: Lab;
  afterAll(async () => {
    await lab?.close();
  });

  it("after the rendered block-metadata step, a pod is refused while the node itself still gets through", async () => {
    requireTool("/usr/sbin/iptables", "iptables");
    lab = new Lab(join(work.dir), "m");
    const ip = (args: string[]) => {
      const r = spawnSync("ip", args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    };
    // node: routes between a pod (10.244.1.2, in the cluster's pod network) and the metadata service
    const node = lab.machine("node", "192.0.2.1/24");
    const pod = lab.machine("pod", "192.0.2.2/24");
    const meta = lab.machine("meta", "192.0.2.3/24");
    ip(["-n", pod, "link", "add", "veth0", "type", "veth", "peer", "name", "vpod", "netns", node]);
    ip(["-n", meta, "link", "add", "veth0", "type", "veth", "peer", "name", "vmeta", "netns", node]);
    ip(["-n", node, "addr", "add", "10.244.1.1/24", "dev", "vpod"]);
    ip(["-n", node, "addr", "add", "169.254.0.1/16", "dev", "vmeta"]);
    ip(["-n", pod, "addr", "add", "10.244.1.2/24", "dev", "veth0"]);
    ip(["-n", meta, "addr", "add", "169.254.169.254/16", "dev", "veth0"]);
    for (const [ns, dev] of [
      [node, "vpod"],
      [node, "vmeta"],
      [pod, "veth0"],
      [meta, "veth0"],
    ] as const)
      ip(["-n", ns, "link", "set", dev, "up"]);
    ip(["-n", pod, "route", "add", "169.254.0.0/16", "via", "10.244.1.1"]);
    ip(["-n", meta, "route", "add", "10.244.0.0/16", "via", "169.254.0.1"]);
    expect(lab.exec(node, ["sysctl", "-qw", "net.ipv4.ip_forward=1"], { PATH }).status).toBe(0);
    lab.start("metadata", meta, ["python3", "-m", "http.server", "80", "--bind", "169.254.169.254"], { PATH });
    const curl = (ns: string) =>
      lab.exec(ns, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "http://169.254.169.254/"], { PATH }).stdout;
    for (let i = 0; i < 50 && curl(pod) !== "200"; i++) await new Promise((r) => setTimeout(r, 100));
    expect(curl(pod), "reachable before the rule").toBe("200");

    // the step exactly as the rendered unit runs it
    const exec = worker.unit("block-metadata.service").execStart;
    const run = () => lab.exec(node, [worker.at(exec[0] as string), ...exec.slice(1)], { PATH });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(curl(pod)).toBe("000");
    expect(curl(node)).toBe("200");
    // idempotent: a second run (a restart of the unit) adds nothing
    expect(run().status).toBe(0);
    const rules = lab.exec(node, ["iptables", "-w", "-t", "mangle", "-S", "PREROUTING"], { PATH }).stdout;
    expect(rules.match(/169\.254\.169\.254/g)).toHaveLength(1);
  });
});
