// No command deletes or overwrites a file it did not create (clusters/model/safe-files.ts): synth's
// output folder, render's config, the PKI folder and an image build's output are each only ever
// written where slipway wrote before, never through a link at a file, never half; an interrupt
// cleans up and says so. Every case runs the real CLI against folders that hold what an
// operator's would: a checkout with .git, cluster files, Terraform's state.
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSafely } from "../clusters/model/safe-files";
import { DEMO_FILE, demoYaml, ROOT, tmp } from "./helpers/clusters";
import { copyProject, type RunResult, slipway, slipwayOnTerminal, snapshotTree } from "./helpers/run";

const work = tmp("slipway-safe-");
afterAll(() => work.cleanup());

function expectRefused(r: RunResult, message: RegExp, code = 1) {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
}

describe("synth --out never deletes what it did not write", () => {
  // a checkout as an operator has it: .git, cluster files, a cdktf.out of its own
  const project = copyProject(join(work.dir, "project"));
  mkdirSync(join(project, ".git", "objects"), { recursive: true });
  writeFileSync(join(project, ".git", "HEAD"), "ref: refs/heads/main\n");
  const home = join(work.dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "id_ed25519"), "private\n");
  writeFileSync(join(home, "notes.txt"), "mine\n");

  for (const [name, out, cwd] of [
    [".", ".", project],
    ["..", "..", project],
    ["the clusters folder", "clusters", project],
    ["the home folder", home, project],
    ["a folder holding one foreign file", join(work.dir, "foreign"), project],
  ] as const) {
    it(`refuses ${name} with one line and leaves it exactly as it was`, () => {
      if (name.includes("foreign")) {
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, "keep.me"), "x");
      }
      const watched = out === ".." ? work.dir : out.startsWith("/") ? out : join(cwd, out);
      const before = snapshotTree(watched);
      const r = slipway(["synth", "--out", out], { cwd, root: project });
      expectRefused(
        r,
        /is not empty and was not written by slipway \(it holds .*\); give a new or empty folder, or the folder of an earlier run/,
      );
      expect(snapshotTree(watched)).toEqual(before);
    });
  }

  it("refuses an empty folder name (exit 1) and a folder that is a file", () => {
    expectRefused(slipway(["synth", "--out", ""], { cwd: project, root: project }), /the output folder must not be an empty name/);
    const f = join(work.dir, "a-file");
    writeFileSync(f, "x");
    expectRefused(slipway(["synth", "--out", f]), /a-file exists and is not a folder/);
    expect(readFileSync(f, "utf8")).toBe("x");
  });

  it("keeps Terraform's state, lock file, .terraform and plans beside the stack it rewrites", () => {
    const out = join(work.dir, "tf-out");
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    const stack = join(out, "stacks", "demo");
    // what `terraform init && terraform apply` leaves in the stack folder
    writeFileSync(join(stack, "terraform.demo.tfstate"), '{"version":4,"serial":7}\n');
    writeFileSync(join(stack, ".terraform.lock.hcl"), "# lock\n");
    mkdirSync(join(stack, ".terraform", "providers"), { recursive: true });
    writeFileSync(join(stack, "plan"), "binary plan");
    const kept = ["terraform.demo.tfstate", ".terraform.lock.hcl", ".terraform/", "plan"];
    const before = snapshotTree(stack);

    const scaled = join(work.dir, "scaled.yaml");
    writeFileSync(scaled, demoYaml([[["workers", 0, "count"], 4]]));
    expect(slipway(["synth", scaled, "--out", out]).code).toBe(0);
    const after = snapshotTree(stack);
    for (const k of kept) expect(after[k]).toBe(before[k]);
    expect(after["cdk.tf.json"]).not.toBe(before["cdk.tf.json"]); // the stack itself was rewritten
  });

  it("removes a stack it wrote earlier when the cluster is renamed, but not the state beside it", () => {
    const out = join(work.dir, "renamed-out");
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    writeFileSync(join(out, "stacks", "demo", "terraform.demo.tfstate"), "{}\n");
    const other = join(work.dir, "other.yaml");
    writeFileSync(other, readFileSync(DEMO_FILE, "utf8").replace("name: demo", "name: other"));
    expect(slipway(["synth", other, "--out", out]).code).toBe(0);
    expect(existsSync(join(out, "stacks", "other", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(out, "stacks", "demo", "cdk.tf.json"))).toBe(false);
    expect(readFileSync(join(out, "stacks", "demo", "terraform.demo.tfstate"), "utf8")).toBe("{}\n");
  });

  it("removes an earlier stack folder entirely when nothing but its own file was there", () => {
    const out = join(work.dir, "pruned-out");
    const other = join(work.dir, "other2.yaml");
    writeFileSync(other, readFileSync(DEMO_FILE, "utf8").replace("name: demo", "name: other"));
    expect(slipway(["synth", other, "--out", out]).code).toBe(0);
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    expect(readdirSync(join(out, "stacks"))).toEqual(["demo"]);
  });

  it("leaves a stack file someone changed since it wrote it", () => {
    const out = join(work.dir, "edited-out");
    const other = join(work.dir, "other3.yaml");
    writeFileSync(other, readFileSync(DEMO_FILE, "utf8").replace("name: demo", "name: other"));
    expect(slipway(["synth", other, "--out", out]).code).toBe(0);
    writeFileSync(join(out, "stacks", "other", "cdk.tf.json"), "{}\n");
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    expect(readFileSync(join(out, "stacks", "other", "cdk.tf.json"), "utf8")).toBe("{}\n");
  });

  it("takes over the output of an older slipway (a cdktf manifest, no record)", () => {
    const out = join(work.dir, "legacy-out");
    mkdirSync(join(out, "stacks", "demo"), { recursive: true });
    writeFileSync(
      join(out, "manifest.json"),
      JSON.stringify({ stacks: { demo: { synthesizedStackPath: "stacks/demo/cdk.tf.json" } }, version: "0.21.0" }),
    );
    writeFileSync(join(out, "stacks", "demo", "cdk.tf.json"), "{}");
    writeFileSync(join(out, "stacks", "demo", "terraform.demo.tfstate"), "{}");
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    expect(readFileSync(join(out, "stacks", "demo", "cdk.tf.json"), "utf8")).toContain('"openstack_compute_instance_v2"');
    expect(readFileSync(join(out, "stacks", "demo", "terraform.demo.tfstate"), "utf8")).toBe("{}");
    expect(existsSync(join(out, ".slipway-output.json"))).toBe(true);
  });

  it("refuses a folder whose record is damaged or belongs to another kind of output", () => {
    const out = join(work.dir, "damaged-out");
    mkdirSync(out);
    writeFileSync(join(out, ".slipway-output.json"), "{not json");
    writeFileSync(join(out, "x"), "x");
    expectRefused(slipway(["synth", "--out", out]), /\.slipway-output\.json is damaged/);
    writeFileSync(join(out, ".slipway-output.json"), JSON.stringify({ slipway: "output", kind: "pki", files: {} }));
    expectRefused(slipway(["synth", "--out", out]), /holds slipway's pki output, not synth/);
    expect(readFileSync(join(out, "x"), "utf8")).toBe("x");
  });

  it("never removes a file outside the folder, whatever its record says", () => {
    const out = join(work.dir, "evil-record");
    const victim = join(work.dir, "victim.txt");
    writeFileSync(victim, "precious");
    const hash = require("node:crypto").createHash("sha256").update("precious").digest("hex");
    mkdirSync(out);
    writeFileSync(
      join(out, ".slipway-output.json"),
      JSON.stringify({ slipway: "output", kind: "synth", files: { "../victim.txt": hash, [victim]: hash } }),
    );
    expect(slipway(["synth", "--out", out]).code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious");
  });

  it("writes through a symbolic link to the output folder, which stays a link", () => {
    const real = join(work.dir, "real-out");
    mkdirSync(real);
    const link = join(work.dir, "link-out");
    symlinkSync(real, link);
    expect(slipway(["synth", "--out", link]).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(existsSync(join(real, "stacks", "demo", "cdk.tf.json"))).toBe(true);
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} during synthesis: one "interrupted" line, exit ${code}, no scratch folder, the output untouched`, async () => {
      const scratchRoot = join(work.dir, `tmp-${signal}`);
      mkdirSync(scratchRoot);
      const out = join(work.dir, `int-out-${signal}`);
      expect(slipway(["synth", "--out", out]).code).toBe(0);
      const before = snapshotTree(out);
      // a large cluster: its (synchronous) synthesis takes long enough to be interrupted
      const big = join(work.dir, `big-${signal}.yaml`);
      writeFileSync(big, demoYaml([[["workers", 0, "count"], 200]]));
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, "bin", "slipway.js"), "synth", big, "--out", out], {
          env: { ...process.env, TMPDIR: scratchRoot },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const poll = setInterval(() => {
          if (readdirSync(scratchRoot).some((e) => e.startsWith("slipway-synth-"))) {
            clearInterval(poll);
            child.kill(signal);
          }
        }, 5);
        child.on("close", (c) => {
          clearInterval(poll);
          resolve({ code: c, stderr });
        });
      });
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`slipway: interrupted (${signal}); cleaning up`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(readdirSync(scratchRoot).filter((e) => e.startsWith("slipway-"))).toEqual([]); // (tsx keeps its cache there)
      expect(snapshotTree(out)).toEqual(before);
    });
  }

  it("the cdktf app (SLIPWAY_CLUSTER=… cdktf synth) behaves like slipway synth on a bad file: one line, exit 1, nothing written", () => {
    // the cdktf CLI runs cdktf.json's app in the project with CDKTF_OUTDIR set
    const app = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
    const cwd = copyProject(join(work.dir, "cdktf-project"));
    const bad = join(work.dir, "bad.yaml");
    writeFileSync(bad, "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\netcd: {count: 2}\n");
    const before = snapshotTree(cwd);
    const r = spawnSync("sh", ["-c", app], {
      cwd,
      env: { ...process.env, SLIPWAY_CLUSTER: bad, CDKTF_OUTDIR: join(cwd, "cdktf.out") },
      encoding: "utf8",
    });
    expectRefused({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }, /bad\.yaml:4:15: etcd\.count: must be 1, 3, 5 or 7/);
    expect(snapshotTree(cwd)).toEqual(before);
  });
});

describe("render --out never writes over what it did not render", () => {
  const pki = join(work.dir, "pki");
  const args = ["render", "--role", "etcd", "--pki", pki];

  it("refuses the cluster file, any foreign file and a symbolic link; nothing changes", () => {
    const cluster = join(work.dir, "mine.yaml");
    writeFileSync(cluster, readFileSync(DEMO_FILE));
    const foreign = join(work.dir, "notes.json");
    writeFileSync(foreign, '{"ignition": "not really"}\n');
    const target = join(work.dir, "link-target");
    writeFileSync(target, "someone else's\n");
    const link = join(work.dir, "config.ign");
    symlinkSync(target, link);
    for (const [out, message] of [
      [cluster, /mine\.yaml exists and is not an Ignition config that slipway wrote; not overwriting it/],
      [foreign, /notes\.json exists and is not an Ignition config that slipway wrote/],
      [link, /config\.ign is a symbolic link; slipway does not write through it/],
      [work.dir, /is a folder; give the name of a file/],
    ] as const) {
      const before = snapshotTree(work.dir);
      expectRefused(slipway([...args.slice(0, 3), cluster, ...args.slice(3), "--out", out]), message);
      expect(snapshotTree(work.dir)).toEqual(before);
    }
    expect(readFileSync(target, "utf8")).toBe("someone else's\n");
  });

  it("replaces a config it rendered before (plain or user_data form), mode 0600", () => {
    const out = join(work.dir, "etcd.ign");
    expect(slipway([...args, "--out", out, "--wrapped"]).code).toBe(0);
    chmodSync(out, 0o644);
    const r = slipway([...args, "--index", "1", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, "utf8")).toContain("demo-etcd-1");
    expect(readdirSync(work.dir).filter((e) => e.startsWith(".slipway-"))).toEqual([]);
  });

  it("refuses to print private keys on a terminal unless asked with --out -", () => {
    const refused = slipwayOnTerminal(args);
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/not printing it on a terminal; give --out FILE \(or --out - to print it anyway\)/);
    expect(refused.output).not.toMatch(/PRIVATE KEY|data:,/);
    const asked = slipwayOnTerminal([...args, "--out", "-"]);
    expect(asked.code).toBe(0);
    expect(asked.output).toContain('"ignition"');
  });

  it("a folder that cannot be written is one line and exit 1, naming the user's path", () => {
    const r = slipway([...args, "--out", join(work.dir, "no", "such", "dir.ign")]);
    expectRefused(r, /cannot write .*\/no\/such\/dir\.ign: no such file or directory$/m);
    expect(r.stderr).not.toMatch(/\.slipway-|EEXIST|ENOENT/);
  });

  it("checks --index against the plan and takes exact whole numbers only", () => {
    for (const [extra, message] of [
      [["--index", "1e20"], /--index must be a whole number, not "1e20"/],
      [["--index", "100000000000000000000"], /--index must be a whole number, not "100000000000000000000"/],
      [["--index", "-1"], /--index must be a whole number, not "-1"/],
      [["--role", "worker", "--pool", "logging", "--index", "2"], /--index 2: pool logging of .* has 2 machines \(0\.\.1\)/],
      [["--role", "master", "--index", "3"], /--index 3: .* has 3 masters \(0\.\.2\)/],
    ] as const) {
      const a = ["render", "--pki", pki, "--out", join(work.dir, "never.ign"), "--role", "etcd", ...extra];
      expectRefused(slipway(a), message, 2);
    }
    const empty = join(work.dir, "empty-pool.yaml");
    writeFileSync(empty, demoYaml([[["workers", 1, "count"], 0]]));
    expectRefused(
      slipway(["render", empty, "--role", "worker", "--pool", "logging", "--pki", pki, "--out", join(work.dir, "never.ign")]),
      /--index 0: pool logging of .* has no machines \(count: 0\)/,
      2,
    );
    expect(existsSync(join(work.dir, "never.ign"))).toBe(false);
  });
});

describe("the PKI folder is slipway's own", () => {
  it("refuses a folder holding other files (say, someone's keys), and writes nothing there", () => {
    const theirs = join(work.dir, "their-keys");
    mkdirSync(theirs);
    writeFileSync(join(theirs, "admin.key"), "their key\n");
    const before = snapshotTree(theirs);
    expectRefused(
      slipway(["render", "--role", "etcd", "--pki", theirs, "--out", join(work.dir, "x.ign")]),
      /their-keys is not empty and was not written by slipway \(it holds admin\.key\)/,
    );
    expect(snapshotTree(theirs)).toEqual(before);
  });

  it("is created 0700 and recorded, and an older slipway's PKI folder is taken over", () => {
    const fresh = join(work.dir, "fresh-pki");
    expect(slipway(["render", "--role", "etcd", "--pki", fresh, "--out", join(work.dir, "f.ign")]).code).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(fresh, ".slipway-output.json"), "utf8"))).toMatchObject({ kind: "pki" });
    // an older slipway wrote no record
    const older = join(work.dir, "older-pki");
    require("node:fs").cpSync(fresh, older, { recursive: true });
    require("node:fs").rmSync(join(older, ".slipway-output.json"));
    const r = slipway(["render", "--role", "etcd", "--pki", older, "--out", join(work.dir, "f.ign")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("(reused)");
  });
});

describe("image build --out", () => {
  it("refuses to replace a file it did not build, and a link", () => {
    const source = join(work.dir, "source.img");
    writeFileSync(source, Buffer.alloc(4096));
    const mine = join(work.dir, "my-disk.qcow2");
    writeFileSync(mine, "my own disk\n");
    expectRefused(
      slipway(["image", "build", "--image", source, "--out", mine]),
      /my-disk\.qcow2 exists and is not an image that slipway wrote; not overwriting it/,
    );
    expect(readFileSync(mine, "utf8")).toBe("my own disk\n");
    const link = join(work.dir, "disk-link.qcow2");
    symlinkSync(mine, link);
    expectRefused(slipway(["image", "build", "--image", source, "--out", link]), /is a symbolic link; slipway does not write through it/);
    expect(readdirSync(work.dir).filter((e) => e.startsWith(".slipway-build-"))).toEqual([]);
  });
});

describe("writeFileSafely", () => {
  it("replaces a link at the target instead of writing through it, with the mode from the start", () => {
    const dir = join(work.dir, "wfs");
    mkdirSync(dir);
    const victim = join(work.dir, "wfs-victim");
    writeFileSync(victim, "untouched");
    symlinkSync(victim, join(dir, "out"));
    writeFileSafely(join(dir, "out"), "secret", 0o600);
    expect(readFileSync(victim, "utf8")).toBe("untouched");
    expect(lstatSync(join(dir, "out")).isFile()).toBe(true);
    expect(statSync(join(dir, "out")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["out"]);
  });
});
