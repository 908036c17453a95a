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
    const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
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

describe("the etcdctl wrapper (Flatcar has no etcdctl: it takes the etcd image's, once)", () => {
  // A machine's root with the rendered wrapper, and a docker stand-in by docker's rules for
  // create/cp/rm: an "image" is a folder holding /usr/local/bin/<tool>; every call is logged.
  async function machine(name: string) {
    const dir = join(work.dir, name);
    const root = new NodeRoot(join(dir, "root"));
    ignitionApply(
      (await renderNode(bakedDemoCluster(), { target: { role: "worker", pool: "general" }, pkiDir: join(work.dir, "pki") })).config,
      root.root,
    );
    const images = join(dir, "images");
    const log = join(dir, "docker.log");
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(log, "");
    writeFileSync(
      join(bin, "docker"),
      `#!/bin/bash
echo "$*" >> '${log}'
case "$1" in
create) [ "$2" = --entrypoint ] || exit 2
  img='${images}'/$(tr -c 'A-Za-z0-9\n' _ <<<"$4"); [ -d "$img" ] || { echo "Unable to find image '$4'" >&2; exit 125; }
  id=c$RANDOM$RANDOM; mkdir -p '${dir}'/containers; echo "$img" > '${dir}'/containers/$id; echo "$id" ;;
cp) id=\${2%%:*}; src=\${2#*:}; [ -f '${dir}'/containers/$id ] || exit 1
  f=$(cat '${dir}'/containers/$id)$src; [ -f "$f" ] || { echo "Could not find the file $src in container $id" >&2; exit 1; }
  cp "$f" "$3" ;;
rm) rm '${dir}'/containers/"$2" ;;
*) exit 2 ;;
esac
`,
    );
    chmodSync(join(bin, "docker"), 0o755);
    // an image's etcdctl: says what it got (arguments, the node's etcd user and endpoints,
    // standard input), and keeps etcdctl's rule that a flag and its ETCDCTL_* variable together
    // are fatal (the real one's rule is checked in the test that needs it)
    const image = (ref: string, tools: string[]) => {
      const d = join(images, ref.replace(/[^A-Za-z0-9\n]/g, "_"), "usr", "local", "bin");
      mkdirSync(d, { recursive: true });
      for (const t of tools) {
        writeFileSync(
          join(d, t),
          `#!/bin/bash
[ "$1" = version ] && { echo "${t} from ${ref}"; exit 0; }
for a in "$@"; do case "$a" in --*) v=ETCDCTL_$(f=\${a#--}; f=\${f%%=*}; tr a-z- A-Z_ <<<"$f")
  [ -z "\${!v+set}" ] || { echo "conflicting environment variable \\"$v\\" is shadowed by corresponding command-line flag" >&2; exit 1; } ;; esac; done
echo "${t} from ${ref}: args=$*"
echo "ETCDCTL_USER=$ETCDCTL_USER"
echo "ETCDCTL_ENDPOINTS=$ETCDCTL_ENDPOINTS"
[ "$1" = txn ] && echo "stdin=$(head -c 200 | tr '\\n' '|')"
exit 0
`,
        );
        chmodSync(join(d, t), 0o755);
      }
    };
    const wrapper = (tool: string) => {
      const w = join(dir, tool);
      if (!existsSync(w)) {
        writeFileSync(w, root.rewrite(root.read(`/opt/slipway/bin/${tool === "etcdutl" ? "etcdctl" : tool}`)));
        chmodSync(w, 0o755);
      }
      return w;
    };
    const run = (args: string[], opts: { tool?: string; input?: string; env?: Record<string, string> } = {}) =>
      spawnSync(wrapper(opts.tool ?? "etcdctl"), args, {
        input: opts.input ?? "",
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin`, ...opts.env },
      });
    const runAsync = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(wrapper("etcdctl"), args, { env: { PATH: `${bin}:/usr/bin:/bin` } });
        let out = "";
        c.stdout.on("data", (d: Buffer) => {
          out += d;
        });
        c.on("close", (code) => resolve({ code, out }));
      });
    const calls = () => readFileSync(log, "utf8").split("\n").filter(Boolean);
    const ref = () => root.envFile("/etc/slipway/images.env").ETCD_IMAGE as string;
    const lib = () => (existsSync(root.at("/opt/slipway/lib")) ? readdirSync(root.at("/opt/slipway/lib")) : []);
    return { root, image, run, runAsync, calls, ref, lib, dir };
  }

  it("copies the tool out of the pinned image once, then runs it directly with standard input and the node's etcd user", async () => {
    const m = await machine("once");
    m.image(m.ref(), ["etcdctl", "etcdutl"]);
    const r = m.run(["txn"], { input: 'value("/k") = "v"\n\nput /k w\n\n\n' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`etcdctl from ${m.ref()}: args=txn`);
    expect(r.stdout).toContain('stdin=value("/k") = "v"||put /k w||');
    const user = /^ETCDCTL_USER=(.*)$/m.exec(r.stdout)?.[1] ?? "";
    expect(user).toMatch(/^node-pool-general:[0-9a-f]{32}$/);
    expect(user).toBe(m.root.envFile("/etc/slipway/etcdctl.env").ETCDCTL_USER);
    // one container created (never started), copied from and removed
    expect(m.calls().map((c) => c.split(" ")[0])).toEqual(["create", "cp", "rm"]);
    expect(m.calls()[0]).toBe(`create --entrypoint /usr/local/bin/etcdctl ${m.ref()}`);
    // the next calls touch docker no more
    for (let i = 0; i < 3; i++) expect(m.run(["get", "/k"]).stdout).toContain("args=get /k");
    expect(m.calls()).toHaveLength(3);
    // etcdutl (the same wrapper by another name) is taken once too, into the same folder
    expect(m.run(["snapshot", "status", "x.db"], { tool: "etcdutl" }).stdout).toContain(
      `etcdutl from ${m.ref()}: args=snapshot status x.db`,
    );
    expect(m.calls()).toHaveLength(6);
    expect(m.lib().filter((f) => f.startsWith("etcd-"))).toHaveLength(1);
    expect(m.lib().filter((f) => f.startsWith(".new"))).toEqual([]);
  });

  it("a flag the caller gives wins over etcdctl.env without etcdctl's fatal conflict; a caller with its own endpoints gets nothing of the file", async () => {
    // the real etcdctl's rule, which the stand-in keeps: a flag and its variable together are fatal
    const real = spawnSync("/usr/bin/etcdctl", ["--endpoints=http://127.0.0.1:9", "endpoint", "health"], {
      encoding: "utf8",
      env: { ETCDCTL_API: "3", ETCDCTL_ENDPOINTS: "http://127.0.0.1:9" },
    });
    expect(real.status).not.toBe(0);
    expect(real.stderr).toContain('conflicting environment variable "ETCDCTL_ENDPOINTS" is shadowed by corresponding command-line flag');
    const m = await machine("given");
    m.image(m.ref(), ["etcdctl"]);
    const file = m.root.envFile("/etc/slipway/etcdctl.env");
    const value = (out: string, k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(out)?.[1];
    // nothing given: the file's
    const plain = m.run(["get", "/k"]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(value(plain.stdout, "ETCDCTL_ENDPOINTS")).toBe(file.ETCDCTL_ENDPOINTS);
    // a flag (an operator asking one member): the file's variable is left out, the rest stays
    const flag = m.run(["--endpoints=https://10.0.0.17:2379", "endpoint", "health"]);
    expect(flag.status, flag.stderr).toBe(0);
    expect(value(flag.stdout, "ETCDCTL_ENDPOINTS")).toBe("");
    expect(value(flag.stdout, "ETCDCTL_USER")).toBe(file.ETCDCTL_USER);
    const spaced = m.run(["--user", "root", "get", "/k"]);
    expect(spaced.status, spaced.stderr).toBe(0);
    expect(value(spaced.stdout, "ETCDCTL_USER")).toBe("");
    // a caller with its own endpoints (a unit's EnvironmentFile=) has all it wants: nothing of the file
    const env = m.run(["get", "/k"], { env: { ETCDCTL_ENDPOINTS: "https://10.0.0.18:2379" } });
    expect(value(env.stdout, "ETCDCTL_ENDPOINTS")).toBe("https://10.0.0.18:2379");
    expect(value(env.stdout, "ETCDCTL_USER")).toBe("");
  });

  it("callers at once (units at first boot) take it once, and each gets its answer", async () => {
    const m = await machine("parallel");
    m.image(m.ref(), ["etcdctl"]);
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => m.runAsync(["get", `/k${i}`])));
    for (const [i, r] of results.entries()) {
      expect(r.code).toBe(0);
      expect(r.out).toContain(`args=get /k${i}`);
    }
    expect(m.calls().filter((c) => c.startsWith("create"))).toHaveLength(1);
  });

  it("a new pinned image (an upgrade) brings its own tool, and the old one goes", async () => {
    const m = await machine("upgrade");
    m.image(m.ref(), ["etcdctl"]);
    expect(m.run(["version"]).status).toBe(0);
    const before = m.lib().filter((f) => f.startsWith("etcd-"));
    const newer = m.ref().replace(/@sha256:[0-9a-f]{64}$/, `@sha256:${"1".repeat(64)}`);
    expect(newer).not.toBe(m.ref());
    const env = m.root.read("/etc/slipway/images.env");
    writeFileSync(m.root.at("/etc/slipway/images.env"), env.replace(m.ref(), newer));
    m.image(newer, ["etcdctl"]);
    expect(m.run(["get", "/k"]).stdout).toContain(`etcdctl from ${newer}: args=get /k`);
    const after = m.lib().filter((f) => f.startsWith("etcd-"));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it("an image without the tool, or none at all: one line, nothing installed, no container left behind", async () => {
    const m = await machine("broken");
    m.image(m.ref(), ["etcd"]);
    const r = m.run(["get", "/k"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`etcdctl: could not take /usr/local/bin/etcdctl from ${m.ref()}`);
    expect(m.calls().map((c) => c.split(" ")[0])).toEqual(["create", "cp", "rm"]);
    expect(readdirSync(join(m.dir, "containers"))).toEqual([]);
    expect(m.lib().filter((f) => f !== ".lock")).toEqual([]);
    // no image at all (a registry not reachable): docker's own error, nothing half-made
    const n = await machine("no-image");
    const r2 = n.run(["get", "/k"]);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toContain("Unable to find image");
    expect(n.lib().filter((f) => f !== ".lock")).toEqual([]);
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
