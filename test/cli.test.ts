// The CLI as users meet it: exit codes, one clear message and no stack trace on bad input, nothing
// written on failure, a JSON Schema editors can use, and output independent of where the checkout is.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_FILE, ROOT, tmp } from "./helpers/clusters";
import { renderWithCli } from "./helpers/etcd-drill";
import { copyProject, slipway } from "./helpers/run";

const work = tmp("slipway-cli-");
afterAll(() => work.cleanup());

let n = 0;
function file(text: string): string {
  const f = join(work.dir, `cluster-${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}

const BAD: Record<string, { text: string; expect: RegExp }> = {
  "malformed YAML": { text: "name: demo\ncloud: [openstack\n", expect: /:2:8: YAML syntax: this \[ is never closed/ },
  "unknown key": {
    text: "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\nmaster:\n  count: 3\n",
    expect: /:4:1: master: unknown field "master"; did you mean "masters"\?/,
  },
  "wrong type": {
    text: "name: demo\ncloud: openstack\nadminCidrs: 192.0.2.0/24\n",
    expect: /:3:13: adminCidrs: must be a list, not text "192\.0\.2\.0\/24"/,
  },
  "even etcd count": {
    text: "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\netcd: {count: 2}\n",
    expect: /:4:15: etcd\.count: must be 1, 3, 5 or 7/,
  },
  "overlapping CIDRs": {
    text: "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\nnetwork: {nodes: 10.96.0.0/16}\n",
    expect: /network\.services: 10\.96\.0\.0\/12 overlaps network\.nodes/,
  },
  "subnet too small": {
    text: "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\nnetwork: {nodes: 10.0.0.0/25}\n",
    expect: /:4:18: network\.nodes: 10\.0\.0\.0\/25 is too small/,
  },
  "not a DNS-1123 label": {
    text: "name: my_cluster\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\n",
    expect: /:1:7: name: must be a DNS-1123 label/,
  },
  "duplicate pools": {
    text: "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\nworkers:\n  - {name: a, count: 1}\n  - {name: a, count: 1}\n",
    expect: /:6:12: workers\[1\]\.name: duplicate pool name "a"/,
  },
};

function expectCleanFailure(r: { code: number; stderr: string; stdout: string }, code: number) {
  expect(r.code).toBe(code);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toBe("");
}

describe("slipway validate / synth on bad input", () => {
  for (const [name, c] of Object.entries(BAD)) {
    it(`${name}: one clear message, exit 1, nothing written`, () => {
      const f = file(c.text);
      const v = slipway(["validate", f]);
      expectCleanFailure(v, 1);
      expect(v.stderr.trim().split("\n")).toHaveLength(1);
      expect(v.stderr).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: `));
      expect(v.stderr).toMatch(c.expect);

      const out = join(work.dir, `out-${n++}`);
      const s = slipway(["synth", f, "--out", out]);
      expectCleanFailure(s, 1);
      expect(s.stderr).toBe(v.stderr);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(work.dir).filter((e) => e.includes(".tmp-") || e.startsWith(".slipway-"))).toEqual([]);
    });
  }

  it("a missing file", () => {
    const r = slipway(["synth", join(work.dir, "nope.yaml"), "--out", join(work.dir, "never")]);
    expectCleanFailure(r, 1);
    expect(r.stderr).toBe(`${join(work.dir, "nope.yaml")}: cannot read cluster file: no such file\n`);
    expect(existsSync(join(work.dir, "never"))).toBe(false);
  });

  it("a failed synth leaves an earlier output untouched", () => {
    const out = join(work.dir, "kept");
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    const before = readFileSync(join(out, "stacks", "demo", "cdk.tf.json"), "utf8");
    expectCleanFailure(slipway(["synth", file(BAD["even etcd count"]?.text ?? ""), "--out", out]), 1);
    expect(readFileSync(join(out, "stacks", "demo", "cdk.tf.json"), "utf8")).toBe(before);
  });

  it("bad command lines exit 2 with a usage hint", () => {
    for (const args of [["synth", "--bogus"], ["frobnicate"], ["synth", "--out"], ["validate", "a.yaml", "b.yaml"]]) {
      const r = slipway(args);
      expectCleanFailure(r, 2);
      expect(r.stderr).toMatch(/^slipway: error: /);
      expect(r.stderr).toContain("slipway --help");
    }
  });
});

describe("slipway validate", () => {
  it("loads neither cdktf nor any provider package", () => {
    const r = spawnSync(
      process.execPath,
      ["-r", join(ROOT, "test", "bench", "loaded-modules.cjs"), join(ROOT, "bin", "slipway.js"), "validate"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(0);
    const loaded = JSON.parse(/SLIPWAY_LOADED (\[.*\])/.exec(r.stderr)?.[1] ?? "[]") as string[];
    expect(loaded.some((f) => f.includes("/clusters/model/"))).toBe(true);
    expect(loaded.filter((f) => /node_modules\/(cdktf|@cdktf|constructs)\/|stacks\/(?![a-z0-9]+\/cloud(-addons)?\.ts$)/.test(f))).toEqual(
      [],
    );
  });
});

describe("slipway synth", () => {
  it("synthesizes the embedded demo from anywhere and prints a summary", () => {
    const cwd = join(work.dir, "elsewhere");
    mkdirSync(cwd);
    const r = slipway(["synth"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Synthesized .*demo-openstack\.yaml → cdktf\.out\/stacks\/demo\/cdk\.tf\.json/);
    expect(r.stdout).toContain("machines   3 etcd, 3 masters, 5 workers in 2 pools (general 3, logging 2)");
    expect(r.stdout).toMatch(/openstack_compute_instance_v2\s+11 {2}\(in 8 blocks\)/);
    expect(r.stdout).toMatch(/worker pool general\s+≤\s+[\d,]+ B base64 {2}of 65,535 B/);
    expect(JSON.parse(readFileSync(join(cwd, "cdktf.out", "manifest.json"), "utf8")).stacks.demo.synthesizedStackPath).toBe(
      "stacks/demo/cdk.tf.json",
    );
  });

  it("replaces stale stacks of an earlier run", () => {
    const out = join(work.dir, "stale");
    const old = file(readFileSync(DEMO_FILE, "utf8").replace("name: demo", "name: old-cluster"));
    expect(slipway(["synth", old, "--out", out]).code).toBe(0);
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    expect(readdirSync(join(out, "stacks"))).toEqual(["demo"]);
  });

  it("is byte-identical wherever the checkout lives", () => {
    const a = copyProject(join(work.dir, "checkout-a"));
    const b = copyProject(join(work.dir, "deeper", "checkout-b"));
    for (const root of [a, b]) expect(slipway(["synth"], { cwd: root, root }).code).toBe(0);
    for (const f of ["stacks/demo/cdk.tf.json", "manifest.json"])
      expect(readFileSync(join(b, "cdktf.out", f), "utf8")).toBe(readFileSync(join(a, "cdktf.out", f), "utf8"));
    expect(readFileSync(join(a, "cdktf.out", "stacks/demo/cdk.tf.json"), "utf8")).not.toContain(work.dir);
  });

  it("cdktf.json's app (what `cdktf synth` runs) gives the same output, cluster chosen by SLIPWAY_CLUSTER", () => {
    const app = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
    const out = join(work.dir, "cdktf-app");
    const other = file(readFileSync(DEMO_FILE, "utf8").replace("name: demo", "name: other"));
    const r = spawnSync("sh", ["-c", app], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: out, SLIPWAY_CLUSTER: other },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const mine = join(work.dir, "slipway-out");
    expect(slipway(["synth", other, "--out", mine]).code).toBe(0);
    expect(readFileSync(join(out, "stacks", "other", "cdk.tf.json"), "utf8")).toBe(
      readFileSync(join(mine, "stacks", "other", "cdk.tf.json"), "utf8"),
    );
  });
});

describe("slipway schema", () => {
  const r = slipway(["schema"]);
  const schema = JSON.parse(r.stdout) as Record<string, unknown>;

  it("prints the committed clusters/cluster.schema.json", () => {
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, "clusters", "cluster.schema.json"), "utf8"));
  });

  it("validates every example cluster file, which all reference it", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const examples = readdirSync(join(ROOT, "clusters")).filter((f) => f.endsWith(".yaml"));
    expect(examples).toContain("demo-openstack.yaml");
    for (const f of examples) {
      const text = readFileSync(join(ROOT, "clusters", f), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./cluster.schema.json");
      expect(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(slipway(["validate", join(ROOT, "clusters", f)]).code).toBe(0);
    }
  });

  it("rejects what the loader rejects (an editor sees the same mistakes)", () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate({ name: "demo", cloud: "openstack", adminCidrs: ["192.0.2.0/24"], etcd: { count: 2 } })).toBe(false);
    expect(validate({ name: "demo", cloud: "openstack", adminCidrs: ["192.0.2.0/24"], bogus: 1 })).toBe(false);
    expect(validate({ name: "demo", cloud: "openstack", adminCidrs: ["192.0.2.0/24"] })).toBe(true);
  });
});

describe("slipway render", () => {
  const pki = join(work.dir, "render-pki");

  it("writes a complete config (mode 0600: it holds keys) and a PKI it reuses next time", () => {
    const out = join(work.dir, "etcd-1.ign");
    const r = slipway(["render", "--role", "etcd", "--index", "1", "--pki", pki, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    // 3 CAs, 3 etcd members, 3 etcd certificates for each of 4 node groups, the API servers' etcd
    // client, etcd's root, 2 admins, the service-account key, the join seed, the etcd password
    // seed, the Secrets key, the backups' certificate (masters issue the rest themselves); the
    // backup store's credential is Terraform's to make: this member goes without, and says so
    expect(r.stderr).toMatch(
      /^Rendered etcd demo-etcd-1 → .*etcd-1\.ign \([\d,]+ B\); PKI in .*render-pki \(issued 27 of its certificates, keys and tokens\)\n {2}without the cloud credentials Terraform makes \(SLIPWAY_SECRET_ETCD_BACKUP_AUTH_URL, .*SLIPWAY_SECRET_ETCD_BACKUP_CREDENTIAL_SECRET\): this member takes no backups\n$/,
    );
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(join(pki, "etcd-ca.key")).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(out, "utf8")) as { ignition: { version: string } };
    expect(config.ignition.version).toBe("3.3.0");

    const again = slipway([
      "render",
      "--role",
      "worker",
      "--pool",
      "logging",
      "--index",
      "1",
      "--pki",
      pki,
      "--out",
      join(work.dir, "w.ign"),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Rendered worker demo-logging-1 \(pool logging\) .* \(reused\)/);
    expect(readFileSync(join(work.dir, "w.ign"), "utf8")).toContain("data:,demo-logging-1");
  });

  it("re-issues only the certificates whose names changed", () => {
    const moved = file(readFileSync(DEMO_FILE, "utf8").replace("nodes: 10.0.0.0/16", "nodes: 10.1.0.0/16"));
    const r = slipway(["render", moved, "--role", "master", "--pki", pki, "--out", join(work.dir, "m.ign")]);
    expect(r.code, r.stderr).toBe(0);
    // the certificates that carry machine addresses: the 3 etcd members' (each master issues its
    // API server certificate itself, for its own address)
    expect(r.stderr).toContain("(issued 3 of its certificates, keys and tokens)");
  });

  it("prints to standard output without --out, and the user_data form with --wrapped", () => {
    const r = slipway(["render", "--role", "master", "--pki", pki, "--wrapped", "--out", "-"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ignition: { config: { replace: { compression: "gzip" } } } });
  });

  it("renders running at the same time against a fresh PKI directory share one CA", async () => {
    const fresh = join(work.dir, "fresh-pki");
    const outs = [0, 1, 2, 0, 1, 2].map((i, n) => join(work.dir, `par-${n}-${i}.ign`));
    await renderWithCli(
      DEMO_FILE,
      fresh,
      outs.map((out, n) => ({ args: ["--role", "etcd", "--index", String(n % 3)], out })),
    );
    const caOf = (f: string) => {
      const c = JSON.parse(readFileSync(f, "utf8")) as { storage: { files: { path: string; contents: { source: string } }[] } };
      return c.storage.files.find((x) => x.path === "/etc/ssl/etcd/ca.crt")?.contents.source;
    };
    expect(new Set(outs.map(caOf)).size).toBe(1);
    expect(existsSync(join(fresh, ".slipway-lock"))).toBe(false);
  });

  it("rejects bad arguments with exit 2 and writes nothing", () => {
    const out = join(work.dir, "never.ign");
    const bad: [string[], RegExp][] = [
      [["render", "--out", out], /required option '--role <role>' not specified/],
      [["render", "--role", "controller", "--out", out], /argument 'controller' is invalid\. Allowed choices are etcd, master, worker/],
      [["render", "--role", "etcd", "--index", "3", "--out", out], /--index 3: .* has 3 etcd members \(0\.\.2\)/],
      [["render", "--role", "master", "--index", "x", "--out", out], /--index must be a whole number, not "x"/],
      [["render", "--role", "worker", "--pool", "gpu", "--out", out], /--pool gpu: .* has no such worker pool \(pools: general, logging\)/],
      [["render", "--role", "etcd", "--pool", "general", "--out", out], /--pool applies to --role worker only/],
    ];
    for (const [args, message] of bad) {
      const r = slipway(args);
      expectCleanFailure(r, 2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work.dir).filter((f) => f.includes(".tmp-") || f.startsWith(".slipway-"))).toEqual([]);
  });
});
