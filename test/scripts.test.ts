// The node scripts, run for real: prepare-volume against a loop device (a real block device with
// real mkfs and mount), and shellcheck on all of them.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, ROOT, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { NodeRoot } from "./helpers/node-root";

const SCRIPT = join(ROOT, "bootstrap", "scripts", "prepare-volume.sh");
const work = tmp("slipway-scripts-");
const loops: string[] = [];
const mounts: string[] = [];

const sh = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });

function loopDevice(sizeMiB: number): string {
  const file = join(work.dir, `disk-${loops.length}.img`);
  expect(sh("truncate", ["-s", `${sizeMiB}M`, file]).status).toBe(0);
  const r = sh("losetup", ["--find", "--show", file]);
  expect(r.status, `losetup (needs root and loop devices): ${r.stderr}`).toBe(0);
  const dev = r.stdout.trim();
  loops.push(dev);
  return dev;
}

function prepare(volume: string, mountpoint: string, env: Record<string, string> = {}) {
  const r = sh("bash", [SCRIPT, volume, mountpoint, "test-data"], env);
  if (r.status === 0) mounts.push(mountpoint);
  return r;
}

afterEach(() => {
  for (const m of mounts.splice(0).reverse()) sh("umount", [m]);
});
afterAll(() => {
  for (const l of loops) sh("losetup", ["--detach", l]);
  work.cleanup();
});

describe("prepare-volume", () => {
  it("formats an empty volume, mounts it, and keeps the data when the machine is replaced", () => {
    const dev = loopDevice(64);
    const mnt = join(work.dir, "etcd");
    const first = prepare(dev, mnt);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("is empty; creating an ext4 filesystem labelled test-data");
    expect(sh("findmnt", ["-n", "-o", "SOURCE,FSTYPE", mnt]).stdout.trim()).toBe(`${dev} ext4`);
    expect(sh("blkid", ["-o", "value", "-s", "LABEL", dev]).stdout.trim()).toBe("test-data");
    writeFileSync(join(mnt, "member-data"), "raft log");
    expect(sh("umount", [mnt]).status).toBe(0);
    mounts.pop();

    // a new machine boots with the same volume
    const again = prepare(dev, mnt);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("already has an ext4 filesystem; keeping its data");
    expect(readFileSync(join(mnt, "member-data"), "utf8")).toBe("raft log");

    // and running twice on the same boot is harmless
    const twice = sh("bash", [SCRIPT, dev, mnt, "test-data"]);
    expect(twice.status).toBe(0);
    expect(twice.stdout).toContain("already mounted");
  });

  it("never formats a volume that holds something else", () => {
    const dev = loopDevice(16);
    expect(sh("mkswap", [dev]).status).toBe(0);
    const mnt = join(work.dir, "refuse");
    const r = prepare(dev, mnt);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not empty and holds no ext4 filesystem .*TYPE=swap.*; not touching it/);
    expect(sh("blkid", ["-o", "value", "-s", "TYPE", dev]).stdout.trim()).toBe("swap");
    expect(existsSync(join(mnt, "lost+found"))).toBe(false);
  });

  it("gives up with a clear message when the volume never appears", () => {
    const r = prepare("0f7f2b1e-7a8a-4a52-9b55-000000000000", join(work.dir, "never"), { PREPARE_VOLUME_TIMEOUT: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("volume 0f7f2b1e-7a8a-4a52-9b55-000000000000 did not appear within 1s");
  });
});

describe("prepare-volume waiting for a slow attach (the etcd data volume's settings)", () => {
  const late = `/dev/slipway-test-late-${process.pid}`;
  afterAll(() => rmSync(late, { force: true }));

  it("waits as long as it takes, says so, and mounts the volume once it is there", async () => {
    const unit = (await renderNode(bakedDemoCluster(), { target: { role: "etcd", index: 0 }, pkiDir: join(work.dir, "pki") })).config;
    const etcdData = (JSON.parse(unit) as { systemd: { units: { name: string; contents?: string }[] } }).systemd.units.find(
      (u) => u.name === "etcd-data.service",
    )?.contents as string;
    const timeout = /^Environment=PREPARE_VOLUME_TIMEOUT=(\d+)$/m.exec(etcdData)?.[1] as string;
    expect(timeout).toBe("0");
    expect(etcdData).toMatch(/^TimeoutStartSec=infinity$/m);
    const dev = loopDevice(64);
    const mnt = join(work.dir, "late");
    const child = spawn("bash", [SCRIPT, late, mnt, "test-data"], {
      env: { ...process.env, PREPARE_VOLUME_TIMEOUT: timeout, PREPARE_VOLUME_SAY_EVERY: "1", PREPARE_VOLUME_POLL: "0.2" },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    try {
      await new Promise((r) => setTimeout(r, 3000));
      expect(child.exitCode).toBe(null); // still waiting, not failed
      expect(out).toContain(`still waiting for volume ${late} to be attached`);
      symlinkSync(dev, late); // the attach completes
      expect(await exited).toBe(0);
      mounts.push(mnt);
      expect(sh("findmnt", ["-n", "-o", "SOURCE", mnt]).stdout.trim()).toBe(dev);
    } finally {
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    }
  });
});

describe("the etcdctl wrapper (Flatcar has no etcdctl: it runs the etcd image's)", () => {
  it("hands standard input (txn, user add read it) and the node's etcd user to etcdctl in its container", async () => {
    const root = new NodeRoot(join(work.dir, "wrapper"));
    ignitionApply(
      (await renderNode(bakedDemoCluster(), { target: { role: "worker", pool: "general" }, pkiDir: join(work.dir, "pki") })).config,
      root.root,
    );
    // docker's rule: a container gets standard input only with --interactive; --env NAME passes
    // the caller's value. The stand-in records what etcdctl inside would get.
    const docker = join(work.dir, "docker");
    writeFileSync(
      docker,
      `#!/bin/bash
[ "$1" = run ] && shift
interactive=no; envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --interactive | -i) interactive=yes ;;
    --env) shift; envs+=("$1=\${!1-}") ;;
    --entrypoint) shift; entry=$1 ;;
    --rm | --network | --volume) [ "$1" = --rm ] || shift ;;
    *) break ;;
  esac
  shift
done
shift # the image
echo "entry=$entry args=$*"
printf '%s\n' "\${envs[@]}"
if [ "$interactive" = yes ]; then echo "stdin=$(cat | head -c 200 | tr '\n' '|')"; else echo "stdin="; fi
`,
    );
    chmodSync(docker, 0o755);
    const wrapper = join(work.dir, "etcdctl-wrapper");
    writeFileSync(wrapper, root.rewrite(root.read("/opt/slipway/bin/etcdctl")).replace("/usr/bin/docker", docker));
    chmodSync(wrapper, 0o755);
    const r = spawnSync(wrapper, ["txn"], {
      input: 'value("/k") = "v"\n\nput /k w\n\n\n',
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("entry=/usr/local/bin/etcdctl args=txn");
    expect(r.stdout).toContain('stdin=value("/k") = "v"||put /k w||');
    const user = /^ETCDCTL_USER=(.*)$/m.exec(r.stdout)?.[1] ?? "";
    expect(user).toMatch(/^node-pool-general:[0-9a-f]{32}$/);
    expect(user).toBe(root.envFile("/etc/slipway/etcdctl.env").ETCDCTL_USER);
  });
});

describe("shell scripts", () => {
  it("pass shellcheck", () => {
    // every script a machine runs: bootstrap's own and each cloud's
    const scripts = [join(ROOT, "bootstrap", "scripts"), ...["openstack", "aws"].map((c) => join(ROOT, "stacks", c))].flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith(".sh"))
        .map((f) => join(d, f)),
    );
    expect(scripts.length).toBeGreaterThanOrEqual(9);
    mkdirSync(work.dir, { recursive: true });
    const r = sh("shellcheck", ["--severity=style", ...scripts]);
    expect(r.error, "shellcheck is missing: install Debian's shellcheck package (.ci/run does)").toBeUndefined();
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
