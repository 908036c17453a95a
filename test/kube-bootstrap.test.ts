// The masters' kube-bootstrap step, run by bash exactly as its unit runs it (its objects and
// version from the rendered masters), three at a time as three masters boot. The Kubernetes API
// is a stand-in kubectl (no API server runs here) that keeps the one object the step coordinates
// through — the kube-system/slipway-bootstrap ConfigMap — with the API's optimistic concurrency
// (create fails if it exists, replace fails at a stale resourceVersion) and records every apply.
// What is proved is the protocol: one apply per version, never an older one over a newer, no
// force, a conflict reported and not retried, a dead holder taken over.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { bootstrapVersion } from "../bootstrap/versions";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { NodeRoot } from "./helpers/node-root";
import { unitSections } from "./helpers/systemd";

const work = tmp("slipway-kb-");
afterAll(() => work.cleanup());
const cluster = bakedDemoCluster();
const masters: NodeRoot[] = [];
const api = join(work.dir, "api");

const KUBECTL = `#!/usr/bin/env node
const fs = require("node:fs"), path = require("node:path");
const dir = process.env.API_DIR, a = process.argv.slice(2);
const cmOf = (name) => path.join(dir, "cm-" + name + ".json"), rvFile = path.join(dir, "rv"), lock = path.join(dir, "lock");
const me = fs.readFileSync(process.env.HOSTNAME_FILE, "utf8").trim();
const log = (l) => fs.appendFileSync(path.join(dir, "log"), l + "\\n");
const wait = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let out = "", err = "", code = 0;
for (;;) { try { fs.mkdirSync(lock); break; } catch { wait(5); } }
try {
  if (a[0] === "get" && a[1] === "--raw=/readyz") out = "ok";
  else if (a[0] === "-n" && a[2] === "get" && a[3] === "configmap") {
    const cm = cmOf(a[4]);
    if (!fs.existsSync(cm)) { err = 'Error from server (NotFound): configmaps "' + a[4] + '" not found\\n'; code = 1; }
    else { const o = JSON.parse(fs.readFileSync(cm, "utf8")); out = a.some((x) => x.startsWith("jsonpath")) ? o.metadata.resourceVersion : JSON.stringify(o); }
  } else if (a[0] === "create" || a[0] === "replace") {
    const o = JSON.parse(fs.readFileSync(0, "utf8"));
    const cm = cmOf(o.metadata.name);
    const cur = fs.existsSync(cm) ? JSON.parse(fs.readFileSync(cm, "utf8")) : undefined;
    if (a[0] === "create" && cur) { err = 'Error from server (AlreadyExists): configmaps "slipway-bootstrap" already exists\\n'; code = 1; }
    else if (a[0] === "replace" && (!cur || cur.metadata.resourceVersion !== o.metadata.resourceVersion)) {
      err = 'Error from server (Conflict): Operation cannot be fulfilled on configmaps "slipway-bootstrap": the object has been modified\\n'; code = 1;
    } else {
      const rv = String(Number(fs.existsSync(rvFile) ? fs.readFileSync(rvFile, "utf8") : "0") + 1);
      fs.writeFileSync(rvFile, rv);
      o.metadata.resourceVersion = rv;
      fs.writeFileSync(cm, JSON.stringify(o));
      log(a[0] + " " + o.data.version + " " + o.data.state + " " + o.data.by);
    }
  } else if (a[0] === "apply") {
    if (a.includes("--force-conflicts")) { err = "forced\\n"; code = 9; }
    else if (fs.existsSync(path.join(dir, "conflict"))) {
      err = 'error: Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas\\n'; code = 1;
    } else {
      const f = a[a.indexOf("-f") + 1], missing = path.join(dir, "missing-kinds");
      const left = fs.existsSync(missing) ? Number(fs.readFileSync(missing, "utf8")) : 0;
      if (left > 0 && fs.readFileSync(f, "utf8").includes('"kind":"ClusterIssuer"')) {
        fs.writeFileSync(missing, String(left - 1));
        err = 'error: resource mapping not found for name: "letsencrypt-production" namespace: "" from "' + f + '": no matches for kind "ClusterIssuer" in version "cert-manager.io/v1"\\nensure CRDs are installed first\\n'; code = 1;
      } else { log("apply " + me + " " + f); out = "deployment.apps/coredns serverside-applied\\n"; }
    }
  } else if (a[0] === "get" && a[1] === "node") out = a[2];
  else if (a[0] === "label") log("label " + a[2]);
  else { err = "unexpected kubectl " + a.join(" ") + "\\n"; code = 3; }
} finally { fs.rmdirSync(lock); }
process.stdout.write(out); process.stderr.write(err); process.exitCode = code;
// an apply takes a while: long enough for the others to see the record held
if (a[0] === "apply" && code === 0) wait(400);
`;

beforeAll(async () => {
  mkdirSync(join(api, "bin"), { recursive: true });
  writeFileSync(join(api, "bin", "kubectl"), KUBECTL);
  chmodSync(join(api, "bin", "kubectl"), 0o755);
  const pki = join(work.dir, "pki");
  for (const m of cluster.plan.masters) {
    const root = new NodeRoot(join(work.dir, m.name));
    ignitionApply((await renderNode(cluster, { target: { role: "master", index: m.index }, pkiDir: pki })).config, root.root);
    masters.push(root);
  }
});

function run(
  i: number,
  env: Record<string, string> = {},
  unit = "kube-bootstrap.service",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = masters[i] as NodeRoot;
  const { argv, env: unitEnv } = root.unitCommand(unit);
  const child = spawn(argv[0] as string, argv.slice(1), {
    env: {
      ...unitEnv,
      PATH: `${join(api, "bin")}:/usr/bin:/bin`,
      API_DIR: api,
      HOSTNAME_FILE: root.at("/etc/hostname"),
      POLL_SECONDS: "0.2",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}
const log = () => readFileSync(join(api, "log"), "utf8").trim().split("\n");
// one line per file applied; a bootstrap run applies its files in order, 20-rbac.json first
const applied = () => log().filter((l) => l.startsWith("apply "));
const applies = () => applied().filter((l) => l.endsWith("/20-rbac.json"));
const recordOf = (name: string) =>
  (JSON.parse(readFileSync(join(api, `cm-${name}.json`), "utf8")) as { data: Record<string, string> }).data;
const record = () => recordOf("slipway-bootstrap");
const ours = bootstrapVersion(cluster.config.kubernetes.version);
const newer = ours.replace(/^(\d+\.\d+)\.(\d+)/, (_, mm: string, p: string) => `${mm}.${Number(p) + 1}`);

describe("kube-bootstrap", () => {
  it("three masters booting at once: one applies, the others wait for it and leave it; all are labelled", async () => {
    const runs = await Promise.all([0, 1, 2].map((i) => run(i)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(applies()).toHaveLength(1);
    expect(applied().map((l) => l.split("/").slice(-3).join("/"))).toEqual(
      ["20-rbac.json", "30-kube-proxy.json", "40-coredns.json"].map((f) => `kubernetes/bootstrap/${f}`),
    );
    expect(record()).toMatchObject({ version: ours, state: "applied" });
    expect(runs.filter((r) => r.stdout.includes("is applying")).length).toBeGreaterThanOrEqual(1);
    expect(
      log()
        .filter((l) => l.startsWith("label "))
        .sort(),
    ).toEqual(cluster.plan.masters.map((m) => `label ${m.name}`).sort());
  });

  it("a reboot applies nothing: what operators changed since stays", async () => {
    const r = await run(1);
    expect(r.code, r.stderr).toBe(0);
    expect(applies()).toHaveLength(1);
  });

  it("a newer master applies over an older record; an older master never applies over a newer one", async () => {
    const up = await run(2, { BOOTSTRAP_VERSION: newer });
    expect(up.code, up.stderr).toBe(0);
    expect(applies()).toHaveLength(2);
    expect(record()).toMatchObject({ version: newer, state: "applied" });
    const old = await run(0);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain(`the cluster runs the bootstrap objects of ${newer}, newer than this master's ${ours}: leaving them`);
    expect(applies()).toHaveLength(2);
    expect(record().version).toBe(newer);
    // versions compare as versions: slipway 0.10 is newer than 0.9
    expect((await run(0, { BOOTSTRAP_VERSION: newer.replace(/slipway\..*$/, "slipway.0.10.0") })).code).toBe(0);
    expect((await run(1, { BOOTSTRAP_VERSION: newer.replace(/slipway\..*$/, "slipway.0.9.0") })).stdout).toContain("leaving them");
    expect(record().version).toBe(newer.replace(/slipway\..*$/, "slipway.0.10.0"));
  });

  it("never forces: a field an operator took over is a conflict, said once, not retried (exit 3), the master still labelled", async () => {
    writeFileSync(join(api, "conflict"), "");
    try {
      const before = applies().length;
      const r = await run(1, { BOOTSTRAP_VERSION: newer.replace(/slipway\..*$/, "slipway.0.11.0") });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('conflict with "kubectl-edit"');
      expect(r.stderr).toMatch(/^<3>kube-bootstrap: not applying .* slipway never forces them/m);
      expect(applies()).toHaveLength(before);
      expect(log().at(-1)).toBe(`label ${cluster.plan.masters[1]?.name}`);
      const unit = unitSections(masters[1]?.read("/etc/systemd/system/kube-bootstrap.service") ?? "");
      expect(unit.Service).toMatchObject({ Restart: ["on-failure"], RestartPreventExitStatus: ["3"] });
    } finally {
      rmSync(join(api, "conflict"));
    }
  });

  it("a master that died holding the record blocks a newer one only until its claim is old", async () => {
    const cm = JSON.parse(readFileSync(join(api, "cm-slipway-bootstrap.json"), "utf8"));
    cm.data = { ...cm.data, version: "1.36.0+slipway.0.1.0", state: "applying", by: "gone", since: String(Math.floor(Date.now() / 1000)) };
    writeFileSync(join(api, "cm-slipway-bootstrap.json"), JSON.stringify(cm));
    const before = applies().length;
    const waiting = run(0, { CLAIM_SECONDS: "2" });
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("gone is applying 1.36.0+slipway.0.1.0: waiting");
    expect(applies()).toHaveLength(before + 1);
    expect(record()).toMatchObject({ version: ours, state: "applied", by: cluster.plan.masters[0]?.name });
    expect(existsSync(join(api, "lock"))).toBe(false);
  });
});

describe("slipway-addons: the addon bundle, by the same protocol under a record of its own", () => {
  const addonFiles = () => applied().filter((l) => l.includes("/kubernetes/addons/"));

  it("three masters at once: one applies every file in order; a file whose kinds do not exist yet waits for them; nodes are not labelled again", async () => {
    writeFileSync(join(api, "missing-kinds"), "3");
    const labelled = log().filter((l) => l.startsWith("label ")).length;
    const runs = await Promise.all([0, 1, 2].map((i) => run(i, {}, "slipway-addons.service")));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const files = addonFiles().map((l) => l.split("/").pop() as string);
    expect(files).toEqual([...files].sort());
    expect(files[0]).toMatch(/^00-gateway-api-/);
    expect(files.slice(-3)).toEqual(["20-helm-controller.json", "30-charts.json", "50-issuers.json"]);
    expect(new Set(addonFiles().map((l) => l.split(" ")[1])).size).toBe(1);
    const waited = runs.map((r) => r.stdout).join("");
    expect(waited).toContain('50-issuers.json waits for kinds that do not exist yet: "ClusterIssuer" in version "cert-manager.io/v1"');
    expect(readFileSync(join(api, "missing-kinds"), "utf8")).toBe("0");
    expect(recordOf("slipway-addons")).toMatchObject({ version: ours, state: "applied" });
    // the bootstrap record is a different one, untouched
    expect(record().state).toBe("applied");
    expect(log().filter((l) => l.startsWith("label ")).length).toBe(labelled);
    const unit = unitSections(masters[0]?.read("/etc/systemd/system/slipway-addons.service") ?? "");
    expect(unit.Unit).toMatchObject({ After: ["kube-bootstrap.service"] });
    expect(unit.Service).toMatchObject({ RestartPreventExitStatus: ["3"], TimeoutStartSec: ["0"] });
  });

  it("a reboot applies nothing: an operator's change to an addon stays", async () => {
    const before = addonFiles().length;
    const r = await run(2, {}, "slipway-addons.service");
    expect(r.code, r.stderr).toBe(0);
    expect(addonFiles()).toHaveLength(before);
  });
});
