// Node hardening and the Kubernetes binaries, run for real:
// - the rendered block-metadata step, with real iptables, in network namespaces shaped like a
//   node: a pod behind the node, the metadata service (169.254.169.254) beyond it;
// - install-sysext against an HTTP server on loopback: a verified download, a tampered one, a
//   baked image (nothing downloaded), and nothing configured at all.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { sysextPath } from "../clusters/model/sysext";
import { demoCluster, tmp } from "./helpers/clusters";
import { ignitionApply, requireTool } from "./helpers/ignition";
import { Lab } from "./helpers/lab";
import { NodeRoot } from "./helpers/node-root";

const PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
const work = tmp("slipway-harden-");
const cluster = demoCluster();
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

describe("install-sysext", () => {
  const script = () => worker.at("/opt/slipway/bin/install-sysext");
  const version = cluster.config.kubernetes.version;
  const payload = randomBytes(256 * 1024);
  const sha512 = createHash("sha512").update(payload).digest("hex");
  let server: ReturnType<typeof spawn>;
  let port = 0;
  let stub = "";

  beforeAll(async () => {
    const www = join(work.dir, "www");
    mkdirSync(www);
    writeFileSync(join(www, `kubernetes-v${version}-x86-64.raw`), payload);
    server = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", www], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("http server did not start")), 10_000);
      server.stdout?.on("data", (d: Buffer) => {
        const m = /port (\d+)/.exec(d.toString());
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    // systemctl on this host is not the machine's: record the call instead
    stub = join(work.dir, "stub");
    mkdirSync(stub);
    writeFileSync(join(stub, "systemctl"), `#!/bin/sh\necho "$@" >> ${join(work.dir, "systemctl.log")}\n`);
    chmodSync(join(stub, "systemctl"), 0o755);
  });
  afterAll(() => {
    server?.kill("SIGKILL");
  });

  const run = (root: string, args: string[]) =>
    spawnSync(script(), ["kubernetes", join(root, sysextPath(version)), ...args], {
      env: { PATH: `${stub}:${PATH}`, SYSEXT_DIR: join(root, "etc/extensions") },
      encoding: "utf8",
    });
  const url = () => `http://127.0.0.1:${port}/kubernetes-v${version}-x86-64.raw`;

  it("downloads, verifies, installs and activates the extension", () => {
    const root = join(work.dir, "good");
    const r = run(root, [url(), sha512]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(root, sysextPath(version)))).toEqual(payload);
    expect(readlinkSync(join(root, "etc/extensions/kubernetes.raw"))).toBe(join(root, sysextPath(version)));
    expect(readFileSync(join(work.dir, "systemctl.log"), "utf8")).toContain("restart systemd-sysext.service");
  });

  it("refuses a download whose SHA-512 does not match, and leaves nothing behind", () => {
    const root = join(work.dir, "tampered");
    const r = run(root, [url(), "0".repeat(128)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`has SHA-512 ${sha512}, expected ${"0".repeat(128)}; not installing it`);
    expect(readdirSync(join(root, "opt/extensions/kubernetes"))).toEqual([]);
    expect(existsSync(join(root, "etc/extensions"))).toBe(false);
  });

  it("downloads nothing when the image has the extension baked in", () => {
    const root = join(work.dir, "baked");
    mkdirSync(join(root, "opt/extensions/kubernetes"), { recursive: true });
    writeFileSync(join(root, sysextPath(version)), "baked");
    const r = run(root, ["http://127.0.0.1:9/unreachable", sha512]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("is present; nothing to download");
    expect(readFileSync(join(root, sysextPath(version)), "utf8")).toBe("baked");
  });

  it("says what to do when the image lacks the extension and no download is configured", () => {
    const r = run(join(work.dir, "neither"), []);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "bake it in (slipway image build --bake-kubernetes) or set kubernetes.binaries.source: sysext with its sha512",
    );
  });

  it("is what the rendered unit runs, with the cluster file's URL and hash", async () => {
    const sysext = demoCluster([[["kubernetes", "binaries"], { source: "sysext", sha512 }]]);
    const root = new NodeRoot(join(work.dir, "sysext-root"));
    ignitionApply(
      (await renderNode(sysext, { target: { role: "worker", pool: "general" }, pkiDir: join(work.dir, "pki") })).config,
      root.root,
    );
    expect(root.unit("kubernetes-sysext.service").execStart).toEqual([
      "/opt/slipway/bin/install-sysext",
      "kubernetes",
      sysextPath(version),
      `https://github.com/flatcar/sysext-bakery/releases/download/kubernetes-v${version}/kubernetes-v${version}-x86-64.raw`,
      sha512,
    ]);
    expect(worker.unit("kubernetes-sysext.service").execStart).toEqual([
      "/opt/slipway/bin/install-sysext",
      "kubernetes",
      sysextPath(version),
    ]);
  });
});
