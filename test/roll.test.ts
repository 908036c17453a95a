// `slipway roll`: the orchestration, with the real terraform binary driving a stand-in stack
// (terraform_data resources named as the synthesized stack names the etcd instances, their volume
// attachments hanging on them as the real ones do, and volumes that must survive) and a scripted
// health endpoint per member. What only a real cloud proves: that replacing the instance makes a
// new machine that rejoins (the VM tier and test/etcd-rejoin.test.ts prove the machine's part).
//
// The ssh stand-in runs the command here, the machine's own 127.0.0.1 being 127.0.31.<its last
// octet>, where the test serves that member's /health: healthy, down for some seconds after its
// replacement (written by the resource's provisioner), or dead.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoCluster, tmp } from "./helpers/clusters";
import { type KubeApiStandIn, kubeApiPki, kubeApiStandIn, writeKubeconfig } from "./helpers/kube-api";
import { slipwayAsync, sshStandIn } from "./helpers/run";
import { OFFLINE_ENV, terraformIn } from "./helpers/terraform";

const work = tmp("slipway-roll-");
const stack = join(work.dir, "stack");
const events = join(work.dir, "events");
const sshLog = join(work.dir, "ssh.log");
const members = demoCluster().plan.etcd;
const masters = demoCluster().plan.masters;
const octet = (ip: string) => ip.split(".")[3] as string;
const servers: Server[] = [];
const workers = demoCluster().plan.pools.flatMap((p) => p.nodes.map((n) => n.name));
/** the Kubernetes API the master roll reads the running versions from (Node objects only) */
let api: KubeApiStandIn;
let kubeconfig = "";

/** down-<octet> holds seconds: unhealthy that long after the file was written; dead-<octet>: unhealthy */
function healthy(o: string): boolean {
  if (existsSync(join(work.dir, `dead-${o}`))) return false;
  const down = join(work.dir, `down-${o}`);
  if (!existsSync(down)) return true;
  return Date.now() > statSync(down).mtimeMs + Number(readFileSync(down, "utf8")) * 1000;
}

function stackJson(volumeInput = "v1"): string {
  const resources: Record<string, unknown> = {};
  for (const m of members) {
    const o = octet(m.ip);
    resources[`etcd_${m.index}`] = {
      input: "instance",
      provisioner: [
        {
          "local-exec": {
            command: `echo "etcd_${m.index} $(date +%s%N)" >> ${events}; echo 3 > ${work.dir}/down-${o}; if [ -e ${work.dir}/dies-${o} ]; then touch ${work.dir}/dead-${o}; fi`,
          },
        },
      ],
    };
    resources[`etcd_${m.index}_data`] = { input: volumeInput };
    resources[`etcd_${m.index}_data_attach`] = {
      triggers_replace: [`\${terraform_data.etcd_${m.index}.id}`, `\${terraform_data.etcd_${m.index}_data.id}`],
    };
  }
  for (const m of masters)
    resources[`master_${m.index}`] = {
      input: "instance",
      provisioner: [
        { "local-exec": { command: `echo "master_${m.index} $(date +%s%N)" >> ${events}; echo 3 > ${work.dir}/down-${octet(m.ip)}` } },
      ],
    };
  return JSON.stringify({ resource: { terraform_data: resources } }, null, 2);
}

function selfSigned(): { key: string; cert: string } {
  const dir = join(work.dir, "tls");
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "k.pem",
      "-out",
      "c.pem",
      "-subj",
      "/CN=kube-apiserver",
      "-days",
      "2",
    ],
    { cwd: dir, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return { key: readFileSync(join(dir, "k.pem"), "utf8"), cert: readFileSync(join(dir, "c.pem"), "utf8") };
}

const tf = terraformIn(stack);
const ids = () =>
  Object.fromEntries(
    (JSON.parse(tf(["show", "-json"])).values.root_module.resources as { name: string; values: { id: string } }[]).map((r) => [
      r.name,
      r.values.id,
    ]),
  );
const replaced = () => (existsSync(events) ? readFileSync(events, "utf8").trim().split("\n").filter(Boolean) : []);

beforeAll(async () => {
  mkdirSync(stack, { recursive: true });
  writeFileSync(join(stack, "cdk.tf.json"), stackJson());
  tf(["init", "-input=false", "-no-color"]);
  tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
  sshStandIn(join(work.dir, "ssh"), sshLog, 'exec bash -c "${*//127.0.0.1/127.0.31.${host##*.}}"\n');
  // each master's API server (6443) and local API load balancer (7443): /readyz over TLS
  const { key, cert } = selfSigned();
  for (const m of masters)
    for (const port of [6443, 7443]) {
      const o = octet(m.ip);
      const server = createHttpsServer({ key, cert }, (req, res) => {
        const ok = req.url === "/readyz" && healthy(port === 7443 ? `lb-${o}` : o);
        res.writeHead(ok ? 200 : 500);
        res.end(ok ? "ok" : "[-]etcd failed: reason withheld\nreadyz check failed");
      });
      servers.push(server);
      await new Promise<void>((res, rej) => server.once("error", rej).listen(port, `127.0.31.${o}`, () => res()));
    }
  for (const m of members) {
    const o = octet(m.ip);
    const server = createServer((req, res) => {
      const ok = req.url === "/health" && healthy(o);
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ health: String(ok) }));
    });
    servers.push(server);
    await new Promise<void>((res, rej) => server.once("error", rej).listen(2381, `127.0.31.${o}`, () => res()));
  }
  const pki = kubeApiPki(join(work.dir, "kube-pki"));
  api = await kubeApiStandIn({
    tls: pki.tls,
    nodes: [...masters.map((m) => m.name), ...workers],
    pods: [],
    bootDir: work.dir,
    bootSeconds: 0,
  });
  kubeconfig = writeKubeconfig(join(work.dir, "admin.conf"), api.url, pki);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  work.cleanup();
});

beforeEach(() => {
  for (const m of [...members, ...masters])
    for (const f of ["down", "dead", "dies"])
      for (const o of [octet(m.ip), `lb-${octet(m.ip)}`]) rmSync(join(work.dir, `${f}-${o}`), { force: true });
  rmSync(events, { force: true });
  rmSync(sshLog, { force: true });
  writeFileSync(join(stack, "cdk.tf.json"), stackJson());
  api?.kubelets.clear();
});

const roll = (extra: string[], role = "etcd") =>
  slipwayAsync(["roll", "--role", role, "--stack", stack, "--ssh", join(work.dir, "ssh"), "--kubeconfig", kubeconfig, "--yes", ...extra], {
    env: OFFLINE_ENV,
    timeoutMs: 300_000,
  });

describe("slipway roll with real terraform and scripted health", () => {
  it("replaces each member in turn, its attachment with it and its volume kept, the next only once the tier is healthy again", async () => {
    const before = ids();
    const r = await roll([]);
    expect(r.code, r.stderr).toBe(0);
    const order = replaced();
    expect(order.map((l) => l.split(" ")[0])).toEqual(["etcd_0", "etcd_1", "etcd_2"]);
    // each member is down 3 s after its replacement: the next replacement starts only after that
    const times = order.map((l) => Number(l.split(" ")[1]) / 1e6);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(3000);
    const after = ids();
    for (const m of members) {
      expect(after[`etcd_${m.index}`]).not.toBe(before[`etcd_${m.index}`]);
      expect(after[`etcd_${m.index}_data_attach`]).not.toBe(before[`etcd_${m.index}_data_attach`]);
      expect(after[`etcd_${m.index}_data`]).toBe(before[`etcd_${m.index}_data`]);
    }
    expect(r.stdout).toContain("delete/create terraform_data.etcd_1_data_attach");
    expect(r.stdout).toMatch(/demo-etcd-2 replaced; all 3 healthy after \d+ s/);
    expect(r.stdout).toContain("etcd of demo rolled: 3 machine(s) replaced");
    // the health asked on each member, over "ssh", of its own endpoint
    expect(readFileSync(sshLog, "utf8")).toContain("10.0.0.17 curl -fsS --max-time 10 http://127.0.0.1:2381/health");
  }, 300_000);

  it("stops at a member that does not come back, saying where; --from goes on from the next", async () => {
    writeFileSync(join(work.dir, "dies-17"), "");
    const r = await roll(["--wait", "8"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^slipway: demo-etcd-1 \(2 of 3\): replaced, but the tier is not healthy after 8 s \(demo-etcd-1: etcd health fails \(.*503.*\)\); the roll stopped\. When it is, go on with --from demo-etcd-2$/,
    );
    expect(replaced().map((l) => l.split(" ")[0])).toEqual(["etcd_0", "etcd_1"]);
    rmSync(join(work.dir, "dies-17"));
    rmSync(join(work.dir, "dead-17"));
    const again = await roll(["--from", "demo-etcd-2"]);
    expect(again.code, again.stderr).toBe(0);
    expect(replaced().map((l) => l.split(" ")[0])).toEqual(["etcd_0", "etcd_1", "etcd_2"]);
  }, 300_000);

  it("replaces nothing on a tier that is not healthy, or when the stack differs from its state", async () => {
    writeFileSync(join(work.dir, "dead-18"), "");
    let r = await roll([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the tier is not healthy, so nothing was replaced: demo-etcd-2: etcd health fails/);
    rmSync(join(work.dir, "dead-18"));
    writeFileSync(join(stack, "cdk.tf.json"), stackJson("v2"));
    r = await roll([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("terraform plan shows changes");
    expect(replaced()).toEqual([]);
  }, 300_000);

  it("rolls the masters, each next one only once every API server and local load balancer is ready", async () => {
    // a master's local load balancer that stays down after the first replacement stops the roll
    writeFileSync(join(work.dir, "dead-lb-32"), "");
    let r = await roll(["--wait", "6"], "master");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the tier is not healthy, so nothing was replaced: demo-master-0: local API load balancer fails \(.*500/);
    rmSync(join(work.dir, "dead-lb-32"));
    r = await roll([], "master");
    expect(r.code, r.stderr).toBe(0);
    expect(replaced().map((l) => l.split(" ")[0])).toEqual(["master_0", "master_1", "master_2"]);
    const times = replaced().map((l) => Number(l.split(" ")[1]) / 1e6);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(3000);
    expect(readFileSync(sshLog, "utf8")).toContain("10.0.0.33 curl -fsSk --max-time 10 https://127.0.0.1:6443/readyz");
    expect(r.stdout).toContain("master of demo rolled: 3 machine(s) replaced");
  }, 300_000);

  it("keeps Kubernetes' version-skew policy: no skipped minor, no downgrade, no kubelet left more than three minors behind", async () => {
    // the file says 1.36.1
    const refused = async (kubelets: [string, string][], message: RegExp) => {
      api.kubelets.clear();
      for (const [n, v] of kubelets) api.kubelets.set(n, v);
      const r = await roll([], "master");
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(/version-skew policy forbids this roll \(masters run .*; the file says 1\.36\.1\)/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("Nothing was replaced");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    };
    const all = (v: string) => masters.map((m) => [m.name, v] as [string, string]);
    await refused(all("v1.34.5"), /1\.36 skips a minor version: demo-master-0 runs v1\.34\.5; .* \(to 1\.35 first\)/);
    // one master behind is enough to refuse (the oldest decides)
    await refused([...all("v1.35.2"), ["demo-master-2", "v1.34.5"]], /demo-master-2 runs v1\.34\.5/);
    await refused(all("v1.37.0"), /older than demo-master-0's v1\.37\.0: Kubernetes does not support downgrading/);
    await refused([...all("v1.35.2"), [workers[0] as string, "v1.32.9"]], new RegExp(`${workers[0]} \\(v1\\.32\\.9\\); roll their pools`));
    expect(replaced()).toEqual([]);
    // one minor up, kubelets within three minors of it: allowed (dry run)
    api.kubelets.clear();
    for (const [n, v] of [...all("v1.35.2"), [workers[0] as string, "v1.33.0"]] as [string, string][]) api.kubelets.set(n, v);
    const r = await roll(["--dry-run"], "master");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("versions: masters run v1.35.2; the file says 1.36.1");
  }, 300_000);

  it("plans each replacement and applies nothing with --dry-run", async () => {
    const before = ids();
    const r = await roll(["--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("delete/create terraform_data.etcd_0");
    expect(r.stdout).toContain("dry run: nothing was applied");
    expect(replaced()).toEqual([]);
    expect(ids()).toEqual(before);
    expect(existsSync(join(stack, "slipway-roll.tfplan"))).toBe(false);
  }, 300_000);

  it("refuses bad arguments and a stack that is not the file's", async () => {
    const cases: [string[], number, RegExp][] = [
      [["roll", "--role", "storage", "--yes"], 2, /--role.*Allowed choices are etcd, master, pool/],
      [
        ["roll", "--role", "etcd", "--from", "demo-etcd-9", "--yes"],
        2,
        /--from must name a machine of the tier: demo-etcd-0, demo-etcd-1, demo-etcd-2/,
      ],
      [["roll", "--role", "etcd", "--wait", "soon", "--yes"], 2, /--wait must be seconds/],
      [["roll", "--role", "etcd", "--out", join(work.dir, "nothing"), "--yes"], 1, /no cdk\.tf\.json — run slipway synth/],
      [
        ["roll", "--role", "master", "--yes"],
        2,
        /give --kubeconfig FILE \(or KUBECONFIG\): the running Kubernetes versions are read from the API/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await slipwayAsync(args, { env: { KUBECONFIG: "" } });
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr).toMatch(message);
    }
    const out = join(work.dir, "synth");
    expect((await slipwayAsync(["synth", "--out", out])).code).toBe(0);
    appendFileSync(join(out, "stacks", "demo", "cdk.tf.json"), "\n");
    const r = await slipwayAsync(["roll", "--role", "etcd", "--out", out, "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cdk\.tf\.json is not what .* synthesizes now: run slipway synth/);
  }, 300_000);
});
