// `slipway image build --bake-kubernetes`: the real CLI bakes a system extension (a squashfs made
// here with mksquashfs) into a Flatcar-like disk, and the result is inspected with tools that are
// not slipway's: qemu-img, sfdisk (partition table), e2fsck, debugfs and a read-only loop mount.
// Rootless (debugfs, run as nobody) and as root (loop mount), with and without growing the disk;
// the path it bakes to is the path the rendered node config installs from.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileServer, serveFiles } from "./helpers/file-server";
import { flatcarLikeDisk, publish, sysextImage, testKey } from "./helpers/flatcar-release";
import { NOBODY, slipwayAsync } from "./helpers/run";

let work: string;
let roomy: string;
let tight: string;
let sysext: string;
let bigSysext: string;
let server: FileServer;

const sha512 = (f: string) => createHash("sha512").update(readFileSync(f)).digest("hex");

interface Part {
  node: string;
  start: number;
  size: number;
  name?: string;
  type: string;
}

/** the built image as a raw disk and its partitions, read by sfdisk (which must find no errors) */
function disk(qcow2: string): { raw: string; parts: Part[]; root: Part; bytes: number } {
  const raw = `${qcow2}.inspect.raw`;
  execFileSync("qemu-img", ["convert", "-O", "raw", qcow2, raw]);
  expect(execFileSync("sfdisk", ["--verify", raw], { encoding: "utf8" })).toContain("No errors detected.");
  const parts = (
    JSON.parse(execFileSync("sfdisk", ["-J", raw], { encoding: "utf8" })) as { partitiontable: { label: string; partitions: Part[] } }
  ).partitiontable;
  expect(parts.label).toBe("gpt");
  // the node names carry the file's name; compare what is on the disk
  const partitions = parts.partitions.map(({ node: _node, ...p }) => ({ node: "", ...p }));
  const root = partitions.find((p) => p.name === "ROOT") as Part;
  return { raw, parts: partitions, root, bytes: statSync(raw).size };
}

const at = (raw: string, p: Part) => `${raw}?offset=${p.start * 512}`;

function debugfs(raw: string, p: Part, request: string): string {
  const r = spawnSync("debugfs", ["-R", request, at(raw, p)], { encoding: "utf8" });
  return r.stdout + r.stderr;
}

function expectBaked(qcow2: string, ext: string, version = "1.36.1"): ReturnType<typeof disk> {
  const d = disk(qcow2);
  // a clean filesystem after the write
  const fsck = spawnSync("e2fsck", ["-fn", at(d.raw, d.root)], { encoding: "utf8" });
  expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
  const path = `/opt/extensions/kubernetes/kubernetes-v${version}-x86-64.raw`;
  const stat = debugfs(d.raw, d.root, `stat ${path}`);
  expect(stat).toMatch(/Type: regular\s+Mode:\s+0644/);
  expect(stat).toMatch(/User:\s+0\s+Group:\s+0/);
  const dumped = `${d.raw}.sysext`;
  debugfs(d.raw, d.root, `dump ${path} ${dumped}`);
  expect(sha512(dumped)).toBe(sha512(ext));
  rmSync(dumped);
  expect(debugfs(d.raw, d.root, "stat /etc/extensions/kubernetes.raw")).toContain(`Fast link dest: "${path}"`);
  // what was in ROOT before is still there
  expect(debugfs(d.raw, d.root, "ls -l /etc")).toContain("machine-id");
  return d;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(".slipway-build-") || f.startsWith(".debugfs-") || f.startsWith(".mnt-"));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "slipway-build-test-"));
  chownSync(work, NOBODY, NOBODY);
  roomy = join(work, "roomy.qcow2");
  writeFileSync(roomy, flatcarLikeDisk(join(work, "d1"), { rootMiB: 24 }));
  tight = join(work, "tight.qcow2");
  writeFileSync(tight, flatcarLikeDisk(join(work, "d2"), { rootMiB: 8 }));
  sysext = sysextImage(work, "kubernetes-v1.36.1-x86-64.raw", randomBytes(2 * 1048576));
  bigSysext = sysextImage(join(work, "d2"), "kubernetes-v1.36.1-x86-64.raw", randomBytes(12 * 1048576));
  server = await serveFiles(work);
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("slipway image build --bake-kubernetes", () => {
  it("bakes the extension without root (debugfs, run as nobody)", async () => {
    const out = join(work, "nobody", "baked.qcow2");
    mkdirSync(join(work, "nobody"));
    chownSync(join(work, "nobody"), NOBODY, NOBODY);
    const nobodyEnv = { HOME: join(work, "nobody"), SLIPWAY_CACHE: join(work, "nobody", "cache") };
    const r = await slipwayAsync(["image", "build", "--image", roomy, "--bake-kubernetes", sysext, "--out", out], {
      asNobody: true,
      env: nobodyEnv,
    });
    expect(r.stderr).toContain("(debugfs, no root needed)");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(statSync(out).uid).toBe(NOBODY);
    const d = expectBaked(out, sysext);
    // enough room: nothing grown, the partitions are the source's
    const src = disk(roomy);
    expect(d.parts).toEqual(src.parts);
    const info = JSON.parse(readFileSync(`${out}.slipway.json`, "utf8"));
    expect(info).toMatchObject({ format: "qcow2", sha512: sha512(out), kubernetes: { version: "1.36.1", sha512: sha512(sysext) } });
    expect(leftovers(join(work, "nobody"))).toEqual([]);
  });

  it("says in one line when the output folder cannot be written, and leaves nothing", async () => {
    const locked = join(work, "locked");
    mkdirSync(locked);
    const r = await slipwayAsync(["image", "build", "--image", roomy, "--bake-kubernetes", sysext, "--out", join(locked, "x.qcow2")], {
      asNobody: true,
      env: { HOME: join(work, "nobody"), SLIPWAY_CACHE: join(work, "nobody", "cache") },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^slipway: ${locked}/\\.slipway-build-\\S*: permission denied\n$`));
    expect(readdirSync(locked)).toEqual([]);
  });

  it("grows the disk, the GPT and ROOT when the extension does not fit (loop mount, as root)", async () => {
    const out = join(work, "grown.qcow2");
    const r = await slipwayAsync(["image", "build", "--image", tight, "--bake-kubernetes", bigSysext, "--out", out, "--method", "loop"]);
    expect(r.stderr).toContain("(loop mount)");
    expect(r.stderr).toMatch(/ROOT has [\d.]+ MiB free, the extension needs [\d.]+ MiB: growing the disk by \d+ MiB/);
    expect(r.code, r.stderr).toBe(0);
    const d = expectBaked(out, bigSysext);
    const src = disk(tight);
    expect(d.bytes).toBeGreaterThan(src.bytes);
    // only ROOT changed, and it ends where the table says the disk's usable space ends
    expect(d.parts.filter((p) => p.name !== "ROOT")).toEqual(src.parts.filter((p) => p.name !== "ROOT"));
    expect(d.root.start).toBe(src.root.start);
    expect(d.root.size).toBeGreaterThan(src.root.size + (12 * 1048576) / 512);
    expect(d.root.start + d.root.size).toBe(d.bytes / 512 - 33);
    // the kernel's view: mount ROOT read-only and look
    const dev = execFileSync(
      "losetup",
      ["--find", "--show", "--read-only", "--offset", String(d.root.start * 512), "--sizelimit", String(d.root.size * 512), d.raw],
      {
        encoding: "utf8",
      },
    ).trim();
    const mnt = mkdtempSync(join(work, "mnt-"));
    try {
      execFileSync("mount", ["-o", "ro", dev, mnt]);
      try {
        expect(readlinkSync(join(mnt, "etc", "extensions", "kubernetes.raw"))).toBe(
          "/opt/extensions/kubernetes/kubernetes-v1.36.1-x86-64.raw",
        );
        expect(sha512(join(mnt, "opt", "extensions", "kubernetes", "kubernetes-v1.36.1-x86-64.raw"))).toBe(sha512(bigSysext));
        // the filesystem really is bigger
        const df = execFileSync("df", ["-B1", "--output=size", mnt], { encoding: "utf8" }).split("\n")[1]?.trim();
        expect(Number(df)).toBeGreaterThan(12 * 1048576);
      } finally {
        execFileSync("umount", [mnt]);
      }
    } finally {
      execFileSync("losetup", ["-d", dev]);
    }
    expect(execFileSync("losetup", ["-a"], { encoding: "utf8" })).not.toContain(work);
    expect(leftovers(work)).toEqual([]);
  });

  it("bakes to exactly the path the rendered node config downloads to, so a baked image needs no download", async () => {
    const cfgFile = join(work, "worker.ign");
    const render = await slipwayAsync([
      "render",
      "clusters/demo-openstack.yaml",
      "--role",
      "worker",
      "--pki",
      join(work, "pki"),
      "--out",
      cfgFile,
    ]);
    expect(render.code, render.stderr).toBe(0);
    // the demo's image is not known to carry Kubernetes: Ignition downloads the extension to here
    const cfg = JSON.parse(readFileSync(cfgFile, "utf8")) as {
      storage: { files: { path: string; contents?: { source?: string } }[]; links: { path: string; target: string }[] };
    };
    const download = cfg.storage.files.find((f) => f.contents?.source?.startsWith("https://"));
    expect(download?.contents?.source).toMatch(/sysext-bakery\/releases\/download\/kubernetes-v1\.36\.1\//);
    const path = download?.path as string;
    const link = cfg.storage.links.find((l) => l.path === "/etc/extensions/kubernetes.raw");
    expect(link?.target).toBe(path);
    const baked = join(work, "for-nodes.qcow2");
    // an extension named as the bakery names the cluster's version
    const ext = join(work, "d1", path.split("/").at(-1) as string);
    writeFileSync(ext, readFileSync(sysext));
    const r = await slipwayAsync(["image", "build", "--image", roomy, "--bake-kubernetes", ext, "--out", baked, "--method", "debugfs"]);
    expect(r.code, r.stderr).toBe(0);
    const d = disk(baked);
    expect(debugfs(d.raw, d.root, `stat ${path}`)).toMatch(/Type: regular/);
    expect(debugfs(d.raw, d.root, "stat /etc/extensions/kubernetes.raw")).toContain(`Fast link dest: "${path}"`);
  });

  it("downloads URL#sha512=… once into the cache, and refuses a download that does not match", async () => {
    const cache = join(work, "url-cache");
    const url = `${server.url}/kubernetes-v1.36.1-x86-64.raw`;
    const out = join(work, "from-url.qcow2");
    const build = () =>
      slipwayAsync([
        "image",
        "build",
        "--image",
        roomy,
        "--bake-kubernetes",
        `${url}#sha512=${sha512(sysext)}`,
        "--out",
        out,
        "--cache-dir",
        cache,
      ]);
    const first = await build();
    expect(first.code, first.stderr).toBe(0);
    expectBaked(out, sysext);
    const served = server.requests.get("/kubernetes-v1.36.1-x86-64.raw");
    const second = await build();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("in the cache (SHA-512 matches), nothing to download");
    expect(server.requests.get("/kubernetes-v1.36.1-x86-64.raw")).toBe(served);

    const wrong = join(work, "wrong.qcow2");
    const bad = await slipwayAsync([
      "image",
      "build",
      "--image",
      roomy,
      "--bake-kubernetes",
      `${url}#sha512=${"ab".repeat(64)}`,
      "--out",
      wrong,
      "--cache-dir",
      join(work, "bad-cache"),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${url} has SHA-512 ${sha512(sysext).slice(0, 16)}…, not the abababababababab… given with --bake-kubernetes; not baking it`,
    );
    expect(existsSync(wrong)).toBe(false);
    expect(
      readdirSync(join(work, "bad-cache"), { recursive: true }).filter((f) => String(f).endsWith(".raw") || String(f).includes("partial")),
    ).toEqual([]);
    const nohash = await slipwayAsync(["image", "build", "--image", roomy, "--bake-kubernetes", url, "--out", wrong]);
    expect(nohash.code).toBe(1);
    expect(nohash.stderr).toContain("a URL needs the SHA-512 of the file, as URL#sha512=<128 hex digits>");
  });

  it("refuses what is not an extension, not the right one, or not a Flatcar disk — and writes nothing", async () => {
    const out = join(work, "refused.qcow2");
    const junk = join(work, "junk.raw");
    writeFileSync(junk, "not an image at all\n".repeat(200));
    const notExt = await slipwayAsync([
      "image",
      "build",
      "--image",
      roomy,
      "--bake-kubernetes",
      junk,
      "--kubernetes-version",
      "1.36.1",
      "--out",
      out,
    ]);
    expect(notExt.code).toBe(1);
    expect(notExt.stderr).toBe(
      `slipway: --bake-kubernetes ${junk}: not a system extension image (no squashfs, erofs, ext4 or GPT signature)\n`,
    );

    const unnamed = join(work, "kube.raw");
    writeFileSync(unnamed, readFileSync(sysext));
    const noVersion = await slipwayAsync(["image", "build", "--image", roomy, "--bake-kubernetes", unnamed, "--out", out]);
    expect(noVersion.code).toBe(1);
    expect(noVersion.stderr).toContain("cannot tell its Kubernetes version from the name");

    const armName = join(work, "d1", "kubernetes-v1.36.1-arm64.raw");
    writeFileSync(armName, readFileSync(sysext));
    const arm = await slipwayAsync(["image", "build", "--image", roomy, "--bake-kubernetes", armName, "--out", out]);
    expect(arm.code).toBe(1);
    expect(arm.stderr).toContain("is built for arm64, but the image is x86-64");

    const blank = join(work, "blank.qcow2");
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", blank, "64M"]);
    const notFlatcar = await slipwayAsync(["image", "build", "--image", blank, "--bake-kubernetes", sysext, "--out", out]);
    expect(notFlatcar.code).toBe(1);
    expect(notFlatcar.stderr.split("\n").at(-2)).toBe(`slipway: ${blank} has no GUID partition table: not a Flatcar disk image`);

    const missing = await slipwayAsync(["image", "build", "--image", join(work, "nope.qcow2"), "--out", out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`slipway: --image ${join(work, "nope.qcow2")}: no such file\n`);

    for (const r of [notExt, noVersion, arm, notFlatcar, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(work)).toEqual([]);

    const usage = await slipwayAsync(["image", "build", "--image", roomy, "--format", "raw", "--compress"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("slipway: --compress needs --format qcow2\n");
    const kv = await slipwayAsync(["image", "build", "--image", roomy, "--kubernetes-version", "1.36.1"]);
    expect(kv.code).toBe(2);
    expect(kv.stderr).toBe("slipway: --kubernetes-version only makes sense with --bake-kubernetes\n");
  });

  it("starts from a verified release when no --image is given, and names the output after it", async () => {
    const key = await testKey();
    const site = join(work, "site");
    await publish(site, { version: "4230.2.3", bytes: readFileSync(roomy), key, current: true });
    writeFileSync(join(work, "key.asc"), key.publicArmored);
    const cwd = join(work, "cwd");
    mkdirSync(cwd);
    const r = await slipwayAsync(
      [
        "image",
        "build",
        "--base-url",
        `${server.url}/site`,
        "--signing-key",
        join(work, "key.asc"),
        "--cache-dir",
        join(work, "rel-cache"),
        "--bake-kubernetes",
        sysext,
      ],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("signature and SHA-512 verified");
    const out = join(cwd, "flatcar-stable-4230.2.3-amd64-kubernetes-1.36.1.qcow2");
    expect(r.stdout).toBe(`${out}\n`);
    expectBaked(out, sysext);
    expect(JSON.parse(readFileSync(`${out}.slipway.json`, "utf8"))).toMatchObject({
      flatcar: { channel: "stable", version: "4230.2.3", arch: "amd64" },
      kubernetes: { version: "1.36.1" },
    });
  });
});
