// `slipway image fetch` against a Flatcar-like release server on 127.0.0.1: the real CLI downloads a
// generated image, checks the OpenPGP signature of its DIGESTS and the SHA-512 of every byte, and
// caches it. Each way a download can be bad is served once and must be rejected, leaving nothing
// in the cache that looks like an image.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileServer, serveFiles } from "./helpers/file-server";
import { flatcarLikeDisk, IMAGE, publish, sign, type TestKey, testKey } from "./helpers/flatcar-release";
import { freePort } from "./helpers/ports";
import { ROOT } from "./helpers/clusters";
import { slipwayAsync } from "./helpers/run";
import { tcpProxy } from "./helpers/tcp-proxy";
import { readPublicKey, verifyDetached } from "../images/verify";

let work: string;
let site: string;
let server: FileServer;
let key: TestKey;
let otherKey: TestKey;
let keyFile: string;
let image: Buffer;

/** every file below `dir`, relative */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

function fetchArgs(version: string, cache: string, extra: string[] = []): string[] {
  return [
    "image",
    "fetch",
    "--channel",
    "stable",
    "--version",
    version,
    "--base-url",
    server.url,
    "--signing-key",
    keyFile,
    "--cache-dir",
    cache,
    ...extra,
  ];
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "slipway-fetch-"));
  site = join(work, "site");
  [key, otherKey] = await Promise.all([testKey(), testKey("Someone Else")]);
  keyFile = join(work, "signing-key.asc");
  writeFileSync(keyFile, key.publicArmored);
  image = flatcarLikeDisk(join(work, "disk"));
  await publish(site, { version: "4230.2.3", bytes: image, key, current: true });
  server = await serveFiles(site);
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("slipway image fetch", () => {
  it("verifies and caches a good image, then reuses it without downloading again", async () => {
    const cache = join(work, "cache-good");
    const first = await slipwayAsync(fetchArgs("current", cache));
    expect(first.stderr).toContain("signature and SHA-512 verified");
    expect(first.code).toBe(0);
    const path = first.stdout.trim();
    expect(path).toBe(join(cache, "images", "stable", "4230.2.3", "amd64", IMAGE));
    expect(createHash("sha512").update(readFileSync(path)).digest("hex")).toBe(createHash("sha512").update(image).digest("hex"));
    expect(execFileSync("qemu-img", ["info", "--output=json", path], { encoding: "utf8" })).toContain('"format": "qcow2"');
    const marker = JSON.parse(readFileSync(`${path}.slipway.json`, "utf8"));
    expect(marker).toMatchObject({
      flatcar: { version: "4230.2.3", channel: "stable", arch: "amd64" },
      format: "qcow2",
      size: image.length,
    });
    expect(marker.flatcar.signingKey).toMatch(/^[0-9A-F]{40}$/);
    expect(files(cache)).toEqual([
      "images/stable/4230.2.3/amd64/flatcar_production_openstack_image.img",
      "images/stable/4230.2.3/amd64/flatcar_production_openstack_image.img.slipway.json",
    ]);
    // not TTY: plain progress lines
    expect(first.stderr).toMatch(/Downloading flatcar_production_openstack_image\.img: done, [\d.]+ MiB/);

    const path404 = `/amd64-usr/4230.2.3/${IMAGE}`;
    const before = server.requests.get(path404) ?? 0;
    const second = await slipwayAsync(fetchArgs("4230.2.3", cache));
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(path);
    expect(second.stderr).toContain("nothing to download");
    expect(server.requests.get(path404) ?? 0).toBe(before);
  });

  it("shows a progress bar with bytes and rate on a terminal", async () => {
    const cache = join(work, "cache-tty");
    const cmd = [process.execPath, join(ROOT, "bin", "slipway.js"), ...fetchArgs("4230.2.3", cache)].map((a) => `'${a}'`).join(" ");
    // script(1) gives the command a pseudo-terminal, as an operator's shell would
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn("script", ["-qfec", cmd, "/dev/null"], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, COLUMNS: "120" },
      });
      let text = "";
      p.stdout.setEncoding("utf8").on("data", (d: string) => (text += d));
      p.on("error", reject);
      p.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    expect(out).toMatch(/Downloading flatcar_production_openstack_image\.img \[[█░=\- ]+\] 100% [\d.]+ MiB\/[\d.]+ MiB [\d.]+ MiB\/s/);
    expect(out).not.toMatch(/: done, /);
  });

  it("replaces a cached image that has been damaged since (size changed) with a verified download", async () => {
    const cache = join(work, "cache-damaged");
    expect((await slipwayAsync(fetchArgs("4230.2.3", cache))).code).toBe(0);
    const path = join(cache, "images", "stable", "4230.2.3", "amd64", IMAGE);
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    const again = await slipwayAsync(fetchArgs("4230.2.3", cache));
    expect(again.code).toBe(0);
    expect(readFileSync(path).equals(image)).toBe(true);
  });

  it("rejects tampered bytes", async () => {
    const tampered = Buffer.from(image);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 100) ^ 0xff, tampered.length - 100);
    await publish(site, { version: "4230.2.4", bytes: image, key });
    // the signed DIGESTS describe the good image; the server now hands out another one
    writeFileSync(join(site, "amd64-usr", "4230.2.4", IMAGE), tampered);
    const cache = join(work, "cache-tampered");
    const r = await slipwayAsync(fetchArgs("4230.2.4", cache));
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").at(-2)).toMatch(
      /^slipway: .*flatcar_production_openstack_image\.img has SHA-512 [0-9a-f]{16}…, but the signed DIGESTS say [0-9a-f]{16}…: corrupted, truncated or tampered with; not keeping it$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(files(cache)).toEqual([]);
  });

  it("rejects DIGESTS whose signature does not match them (tampered digests)", async () => {
    const dir = await publish(site, { version: "4230.2.5", bytes: image, key });
    // someone swaps in digests of their own image but cannot sign them
    const evil = Buffer.concat([image, Buffer.from("evil")]);
    writeFileSync(join(dir, IMAGE), evil);
    const honest = readFileSync(join(dir, `${IMAGE}.DIGESTS`), "utf8");
    writeFileSync(join(dir, `${IMAGE}.DIGESTS`), honest.replace(/^[0-9a-f]{128}/m, createHash("sha512").update(evil).digest("hex")));
    const cache = join(work, "cache-badsig");
    const r = await slipwayAsync(fetchArgs("4230.2.5", cache));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^slipway: flatcar_production_openstack_image\.img\.DIGESTS: bad signature: /);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(files(cache)).toEqual([]);
  });

  it("rejects a release signed by another key", async () => {
    const dir = await publish(site, { version: "4230.2.6", bytes: image, key: otherKey });
    expect(existsSync(join(dir, `${IMAGE}.DIGESTS.asc`))).toBe(true);
    const cache = join(work, "cache-wrongkey");
    const r = await slipwayAsync(fetchArgs("4230.2.6", cache));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad signature: it was not made by the signing key");
    expect(r.stderr).toContain("--signing-key");
    expect(files(cache)).toEqual([]);
  });

  it("rejects a signature file that is not a signature, and a missing one", async () => {
    const dir = await publish(site, { version: "4230.2.7", bytes: image, key });
    writeFileSync(join(dir, `${IMAGE}.DIGESTS.asc`), "-----BEGIN PGP SIGNATURE-----\n\nbm9wZQ==\n-----END PGP SIGNATURE-----\n");
    const garbage = await slipwayAsync(fetchArgs("4230.2.7", join(work, "cache-garbage")));
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toContain("DIGESTS: the signature file is not an OpenPGP signature");
    rmSync(join(dir, `${IMAGE}.DIGESTS.asc`));
    const missing = await slipwayAsync(fetchArgs("4230.2.7", join(work, "cache-garbage")));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("DIGESTS.asc does not exist: the digests cannot be trusted");
    expect(files(join(work, "cache-garbage"))).toEqual([]);
  });

  it("rejects a truncated download and keeps nothing of it", async () => {
    await publish(site, { version: "4230.2.8", bytes: image, key });
    server.cutAfter.set(`/amd64-usr/4230.2.8/${IMAGE}`, Math.floor(image.length / 2));
    const cache = join(work, "cache-truncated");
    const r = await slipwayAsync(fetchArgs("4230.2.8", cache));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /download of .*4230\.2\.8\/flatcar_production_openstack_image\.img (broke off after [\d,]+ bytes|is truncated)/,
    );
    expect(files(cache)).toEqual([]);
  });

  it("says so when a version does not exist, or the server cannot be reached", async () => {
    const cache = join(work, "cache-unknown");
    const r = await slipwayAsync(fetchArgs("9999.0.0", cache));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `slipway: Flatcar stable 9999.0.0 (amd64) not found: ${server.url}/amd64-usr/9999.0.0/flatcar_production_openstack_image.img.DIGESTS does not exist\n`,
    );
    const arm = await slipwayAsync(fetchArgs("current", cache, ["--arch", "arm64"]));
    expect(arm.code).toBe(1);
    expect(arm.stderr).toContain("arm64-usr/current/version.txt does not exist");
    const closed = await freePort();
    const down = await slipwayAsync([
      ...fetchArgs("current", cache).slice(0, 6),
      "--base-url",
      `http://127.0.0.1:${closed}`,
      "--cache-dir",
      cache,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`slipway: cannot reach http://127.0.0.1:${closed}/amd64-usr/current/version.txt: connection refused\n`);
    expect(files(cache)).toEqual([]);
  });

  it("Ctrl-C in the middle of a download leaves nothing in the cache", async () => {
    // the release server behind a proxy that lets 100 kB/s through: time to press Ctrl-C
    const slow = await tcpProxy(Number(new URL(server.url).port), { bytesPerSecond: 100_000 });
    const cache = join(work, "cache-interrupted");
    try {
      const args = fetchArgs("4230.2.3", cache).map((a) => (a === server.url ? `http://127.0.0.1:${slow.port}` : a));
      const r = await slipwayAsync(args, {
        interruptWhen: /Downloading .*: [1-9]\d% /,
        // the half download is there while it runs…
        beforeInterrupt: () => expect(files(cache).some((f) => f.includes(".partial-"))).toBe(true),
      });
      expect(r.code).toBe(130);
      expect(r.stderr).toContain("slipway: interrupted (SIGINT); cleaning up");
      // …and gone after
      expect(files(cache)).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it("says in one line when the cache cannot be written", async () => {
    const locked = join(work, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    // root may write anywhere: run as nobody, as an operator without rights would
    const r = await slipwayAsync(fetchArgs("4230.2.3", join(locked, "cache")), { asNobody: true, env: { HOME: work } });
    expect(r.code).toBe(1);
    // one line naming the path in the cache that could not be written
    expect(r.stderr).toMatch(
      new RegExp(`^slipway: ${join(locked, "cache").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\S*: permission denied\n$`),
    );
  });

  it("decompresses an older release's .img.bz2 while verifying it", async () => {
    const dir = join(work, "bz");
    mkdirSync(dir);
    writeFileSync(join(dir, "img"), image);
    execFileSync("bzip2", ["-k", join(dir, "img")]);
    await publish(site, { version: "3510.2.8", name: `${IMAGE}.bz2`, bytes: readFileSync(join(dir, "img.bz2")), key });
    const cache = join(work, "cache-bz2");
    const r = await slipwayAsync(fetchArgs("3510.2.8", cache));
    expect(r.code).toBe(0);
    expect(readFileSync(r.stdout.trim()).equals(image)).toBe(true);
    expect(JSON.parse(readFileSync(`${r.stdout.trim()}.slipway.json`, "utf8"))).toMatchObject({
      sha512: createHash("sha512").update(image).digest("hex"),
      format: "qcow2",
    });
  });

  it("refuses bad arguments before any download, and the shipped Flatcar key refuses a release it did not sign", async () => {
    const bad = await slipwayAsync(["image", "fetch", "--version", "latest"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('slipway: --version must be a release such as 4230.2.3, or current; not "latest"\n');
    const chan = await slipwayAsync(["image", "fetch", "--channel", "edge"]);
    expect(chan.code).toBe(2);
    expect(chan.stderr).toContain("argument 'edge' is invalid. Allowed choices are stable, beta, alpha, lts.");
    const nokey = await slipwayAsync([
      ...fetchArgs("current", join(work, "cache-nokey")).slice(0, 8),
      "--signing-key",
      join(work, "nope.asc"),
    ]);
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toContain(`cannot read signing key ${join(work, "nope.asc")}: no such file`);
    // the shipped key is Flatcar's: it rejects our test release
    const shipped = await slipwayAsync(
      fetchArgs("current", join(work, "cache-shipped")).filter((a, i, all) => a !== "--signing-key" && all[i - 1] !== "--signing-key"),
    );
    expect(shipped.code).toBe(1);
    expect(shipped.stderr).toContain("F88CFEDEFF29A5B4D9523864E25D9AED0593B34A");
  });
});

describe("the signature helpers", () => {
  it("sign() output verifies with the public key only", async () => {
    const data = "hello\n";
    const sig = await sign(data, key);
    const pub = await readPublicKey(keyFile);
    await expect(verifyDetached(Buffer.from(data), sig, pub, "x")).resolves.toBeUndefined();
    await expect(verifyDetached(Buffer.from("hellO\n"), sig, pub, "x")).rejects.toThrow(/x: bad signature/);
  });
});
