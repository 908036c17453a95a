// `slipway image upload` against a real Keystone and Glance on 127.0.0.1 (Debian's packages,
// sqlite, file store), and the whole path fetch → bake → upload. What Glance holds afterwards is
// read back with an admin token: the image, its properties and hash, and that nothing half-done
// is left behind when the upload breaks (a cut connection, Ctrl-C, a quota).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type FileServer, serveFiles } from "./helpers/file-server";
import { flatcarLikeDisk, publish, sysextImage, testKey } from "./helpers/flatcar-release";
import { type OpenStack, startOpenStack } from "./helpers/openstack";
import { freePort } from "./helpers/ports";
import { slipwayAsync } from "./helpers/run";
import { testCa } from "./helpers/test-ca";
import { type TcpProxy, tcpProxy } from "./helpers/tcp-proxy";

const MiB = 1048576;
let work: string;
let os: OpenStack;
let cut: TcpProxy;
let slow: TcpProxy;
let server: FileServer;
let home: string;

const sha512 = (f: string) => createHash("sha512").update(readFileSync(f)).digest("hex");

/** a file of `mib` MiB of random bytes (incompressible, unique) */
function randomFile(name: string, mib: number): string {
  const f = join(work, name);
  writeFileSync(f, execFileSync("head", ["-c", `${mib}M`, "/dev/urandom"], { maxBuffer: 1 << 30 }));
  return f;
}

/** the environment a user has: no OS_* of the test runner's, a home of their own */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: home, OS_CLOUD: "", OS_AUTH_URL: "", OS_CLIENT_CONFIG_FILE: "", ...extra };
}

function passwordEnv(extra: Record<string, string> = {}): Record<string, string> {
  return env({
    OS_AUTH_URL: os.authUrl,
    OS_USERNAME: os.demo.username,
    OS_PASSWORD: os.demo.password,
    OS_PROJECT_NAME: os.demo.project,
    OS_REGION_NAME: "RegionOne",
    ...extra,
  });
}

async function imagesNamed(name: string) {
  return (await os.images()).filter((i) => i.name === name);
}

async function glanceFile(id: string): Promise<Buffer> {
  const r = await fetch(`${os.glanceUrl}/v2/images/${id}/file`, { headers: { "X-Auth-Token": await os.adminToken() } });
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "slipway-upload-"));
  home = join(work, "home");
  mkdirSync(home);
  const glancePort = await freePort();
  cut = await tcpProxy(glancePort, { cutAfter: 3 * MiB });
  slow = await tcpProxy(glancePort, { bytesPerSecond: 4 * MiB });
  server = await serveFiles(work);
  os = await startOpenStack(join(work, "openstack"), {
    glancePort,
    regions: { RegionCut: cut.port, RegionSlow: slow.port },
    storageQuota: "100MB",
  });
}, 180_000);

afterAll(async () => {
  await os?.stop();
  await cut?.close();
  await slow?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("slipway image upload (real Keystone and Glance)", () => {
  it("fetch → bake → upload: the image is active in Glance with its properties, its hash and exactly its bytes", async () => {
    // a Flatcar-like release, signed, on a local server; a Kubernetes system extension
    const key = await testKey();
    writeFileSync(join(work, "key.asc"), key.publicArmored);
    await publish(join(work, "site"), {
      version: "4230.2.3",
      bytes: flatcarLikeDisk(join(work, "disk"), { rootMiB: 24 }),
      key,
      current: true,
    });
    sysextImage(work, "kubernetes-v1.36.1-x86-64.raw", readFileSync("/usr/bin/sha512sum"));
    const cwd = join(work, "build");
    mkdirSync(cwd);
    const built = await slipwayAsync(
      [
        "image",
        "build",
        "--base-url",
        `${server.url}/site`,
        "--signing-key",
        join(work, "key.asc"),
        "--cache-dir",
        join(work, "cache"),
        "--bake-kubernetes",
        join(work, "kubernetes-v1.36.1-x86-64.raw"),
      ],
      { cwd, env: env() },
    );
    expect(built.code, built.stderr).toBe(0);
    const file = built.stdout.trim();

    // credentials from clouds.yaml (password in secure.yaml, as one keeps them), in the project folder
    writeFileSync(
      join(cwd, "clouds.yaml"),
      stringify({
        clouds: {
          lab: {
            auth: {
              auth_url: os.authUrl.replace(/\/v3$/, ""),
              username: "demo",
              project_name: "demo",
              user_domain_name: "Default",
              project_domain_name: "Default",
            },
            region_name: "RegionOne",
          },
        },
      }),
    );
    writeFileSync(join(cwd, "secure.yaml"), stringify({ clouds: { lab: { auth: { password: os.demo.password } } } }));
    const up = await slipwayAsync(
      ["image", "upload", file, "--name", "flatcar-stable", "--cloud", "lab", "--property", "hw_rng_model=virtio"],
      { cwd, env: env() },
    );
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(
      /flatcar-stable: uploaded as [0-9a-f-]{36}, [\d.]+ MiB in [\d.]+ s \([\d.]+ MiB\/s\), SHA-512 verified by Glance; [\d.]+ s in all/,
    );
    expect(up.stderr).not.toContain(os.demo.password);
    const id = up.stdout.trim();
    const [image] = await imagesNamed("flatcar-stable");
    expect(image).toMatchObject({
      id,
      status: "active",
      disk_format: "qcow2",
      container_format: "bare",
      visibility: "private",
      owner: os.demo.projectId,
      os_distro: "flatcar",
      os_type: "linux",
      os_version: "4230.2.3",
      flatcar_channel: "stable",
      architecture: "x86_64",
      slipway_kubernetes: "1.36.1",
      hw_rng_model: "virtio",
      os_hash_algo: "sha512",
      os_hash_value: sha512(file),
      tags: ["slipway"],
    });
    // min_disk: the disk's virtual size, rounded up to GiB
    const virtual = JSON.parse(execFileSync("qemu-img", ["info", "--output=json", file], { encoding: "utf8" }))["virtual-size"] as number;
    expect(image?.min_disk).toBe(Math.ceil(virtual / 1024 ** 3));
    expect((await glanceFile(id)).equals(readFileSync(file))).toBe(true);

    // the same file again: nothing uploaded, the same image; a new property is brought up to date
    const again = await slipwayAsync(
      [
        "image",
        "upload",
        file,
        "--name",
        "flatcar-stable",
        "--cloud",
        "lab",
        "--property",
        "hw_rng_model=virtio",
        "--property",
        "team=platform",
      ],
      {
        cwd,
        env: env(),
      },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(id);
    expect(again.stderr).toContain(
      `flatcar-stable: already in Glance as ${id} (same name and SHA-512); nothing uploaded, properties updated: team`,
    );
    const after = await imagesNamed("flatcar-stable");
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ team: "platform", os_hash_value: sha512(file) });
  });

  it("authenticates with an application credential from the OS_* environment, and reuses only on the same name and bytes", async () => {
    const file = randomFile("appcred.raw", 2);
    const appEnv = env({
      OS_AUTH_URL: os.authUrl,
      OS_AUTH_TYPE: "v3applicationcredential",
      OS_APPLICATION_CREDENTIAL_ID: os.appCredential.id,
      OS_APPLICATION_CREDENTIAL_SECRET: os.appCredential.secret,
      OS_REGION_NAME: "RegionOne",
    });
    const r = await slipwayAsync(["image", "upload", file, "--name", "appcred"], { env: appEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("(the OS_* environment)");
    expect(r.stderr).not.toContain(os.appCredential.secret);
    const [image] = await imagesNamed("appcred");
    expect(image).toMatchObject({
      id: r.stdout.trim(),
      owner: os.demo.projectId,
      disk_format: "raw",
      os_hash_value: sha512(file),
      status: "active",
    });
    // same bytes, another name: a new image; different bytes, same name and size: a new image too
    const renamed = await slipwayAsync(["image", "upload", file, "--name", "appcred-2"], { env: appEnv });
    expect(renamed.code).toBe(0);
    expect(renamed.stdout.trim()).not.toBe(r.stdout.trim());
    const other = randomFile("appcred-other.raw", 2);
    const changed = await slipwayAsync(["image", "upload", other, "--name", "appcred"], { env: appEnv });
    expect(changed.code).toBe(0);
    expect(changed.stdout.trim()).not.toBe(r.stdout.trim());
    expect((await imagesNamed("appcred")).map((i) => i.os_hash_value).sort()).toEqual([sha512(file), sha512(other)].sort());
  });

  // (the cache is the one the first test's build filled)
  it("uploads the most recently fetched image when given no file", async () => {
    const r = await slipwayAsync(["image", "upload", "--name", "from-cache", "--cache-dir", join(work, "cache")], { env: passwordEnv() });
    expect(r.code, r.stderr).toBe(0);
    const cached = join(work, "cache", "images", "stable", "4230.2.3", "amd64", "flatcar_production_openstack_image.img");
    expect(r.stderr).toContain(`No file given: uploading the most recently fetched image, ${cached}`);
    expect(await imagesNamed("from-cache")).toMatchObject([
      { os_version: "4230.2.3", os_hash_value: sha512(cached), disk_format: "qcow2" },
    ]);
    const empty = await slipwayAsync(["image", "upload", "--name", "x", "--cache-dir", join(work, "no-cache")], { env: passwordEnv() });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe(
      `slipway: no verified Flatcar image in ${join(work, "no-cache", "images")}: run slipway image fetch first, or name the file\n`,
    );
  });

  it("talks TLS to a Keystone with a private CA only when told to trust it (cacert)", async () => {
    const pki = join(work, "tls");
    mkdirSync(pki);
    const ca = testCa(pki, "test private CA");
    // TLS in front of the real Keystone, as a cloud's load balancer would be
    const tls = createTlsServer({ key: readFileSync(ca.keyFile), cert: readFileSync(ca.certFile) }, (socket) => {
      const upstream = connect(os.keystonePort, "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    const port = (tls.address() as { port: number }).port;
    try {
      const file = randomFile("tls.raw", 1);
      const url = `https://127.0.0.1:${port}/v3`;
      const untrusted = await slipwayAsync(["image", "upload", file, "--name", "over-tls"], { env: passwordEnv({ OS_AUTH_URL: url }) });
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(
        new RegExp(
          `^slipway: cannot reach ${url.replace(/[.]/g, "\\.")}/auth/tokens: the server's TLS certificate is not trusted \\([A-Z_]+; set cacert in clouds.yaml or OS_CACERT\\)\n$`,
        ),
      );
      const trusted = await slipwayAsync(["image", "upload", file, "--name", "over-tls"], {
        env: passwordEnv({ OS_AUTH_URL: url, OS_CACERT: ca.caFile }),
      });
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(await imagesNamed("over-tls")).toMatchObject([{ status: "active", os_hash_value: sha512(file) }]);
    } finally {
      await new Promise((r) => tls.close(r));
    }
  });

  it("a connection cut mid-upload leaves no image and says what happened", async () => {
    const file = randomFile("cut.raw", 16);
    const r = await slipwayAsync(["image", "upload", file, "--name", "cut-me"], { env: passwordEnv({ OS_REGION_NAME: "RegionCut" }) });
    expect(r.code).toBe(1);
    expect(cut.cuts).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/deleted the incomplete image [0-9a-f-]{36}\n/);
    expect(r.stderr.split("\n").at(-2)).toMatch(
      new RegExp(
        `^slipway: upload of ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} broke off after [\\d,]+ of 16,777,216 bytes: connection (reset|closed early); the image was deleted$`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await imagesNamed("cut-me")).toEqual([]);
  });

  it("Ctrl-C mid-upload deletes the image and exits 130", async () => {
    const file = randomFile("slow.raw", 48);
    const r = await slipwayAsync(["image", "upload", file, "--name", "interrupt-me"], {
      env: passwordEnv({ OS_REGION_NAME: "RegionSlow" }),
      interruptWhen: /Uploading .*: [1-9]\d% /,
      // the image exists while it uploads
      beforeInterrupt: async () => expect((await imagesNamed("interrupt-me")).map((i) => i.status)).toEqual(["saving"]),
    });
    expect(r.code).toBe(130);
    const stderr = r.stderr;
    expect(stderr).toContain("slipway: interrupted (SIGINT); cleaning up");
    expect(stderr).toMatch(/deleted the incomplete image [0-9a-f-]{36}/);
    expect(await imagesNamed("interrupt-me")).toEqual([]);
  });

  it("a quota error is one clear line, and leaves no image", async () => {
    const big = join(work, "big.raw");
    execFileSync("truncate", ["-s", "120M", big]);
    const r = await slipwayAsync(["image", "upload", big, "--name", "too-big"], { env: passwordEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").at(-2)).toMatch(
      /^slipway: Glance: uploading the image data: HTTP 413 \(Image exceeds the storage quota: .*\) — the project's image storage quota is used up; delete old images or ask for more; the image was deleted$/,
    );
    expect(await imagesNamed("too-big")).toEqual([]);
  });

  it("bad credentials, an unreachable Keystone, a policy refusal and a missing file each get one clear line", async () => {
    const file = randomFile("small.raw", 1);
    const badPw = await slipwayAsync(["image", "upload", file, "--name", "x"], { env: passwordEnv({ OS_PASSWORD: "wrong-password-123" }) });
    expect(badPw.code).toBe(1);
    expect(badPw.stderr).toBe(
      `slipway: Keystone (${os.authUrl}) rejected the credentials from the OS_* environment: The request you have made requires authentication. — check the user, password or application credential, and the project\n`,
    );
    expect(badPw.stderr).not.toContain("wrong-password-123");
    const badSecret = await slipwayAsync(["image", "upload", file, "--name", "x"], {
      env: env({
        OS_AUTH_URL: os.authUrl,
        OS_AUTH_TYPE: "v3applicationcredential",
        OS_APPLICATION_CREDENTIAL_ID: os.appCredential.id,
        OS_APPLICATION_CREDENTIAL_SECRET: "nope",
      }),
    });
    expect(badSecret.code).toBe(1);
    expect(badSecret.stderr).toMatch(/^slipway: Keystone \(.*\) rejected the credentials from the OS_\* environment: /);

    const closed = await freePort();
    const down = await slipwayAsync(["image", "upload", file, "--name", "x"], {
      env: passwordEnv({ OS_AUTH_URL: `http://127.0.0.1:${closed}/v3` }),
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`slipway: cannot reach http://127.0.0.1:${closed}/v3/auth/tokens: connection refused\n`);

    const pub = await slipwayAsync(["image", "upload", file, "--name", "public-one", "--visibility", "public"], { env: passwordEnv() });
    expect(pub.code).toBe(1);
    expect(pub.stderr.split("\n").at(-2)).toBe(
      "slipway: Glance: creating the image: HTTP 403 (You are not authorized to complete publicize_image action) — the cloud's policy does not allow this for your role (only admins may make public images)",
    );
    expect(await imagesNamed("public-one")).toEqual([]);

    const missing = await slipwayAsync(["image", "upload", join(work, "nope.qcow2"), "--name", "x"], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`slipway: ${join(work, "nope.qcow2")}: no such file\n`);

    const none = await slipwayAsync(["image", "upload", file, "--name", "x"], { env: env() });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      "slipway: no OpenStack credentials: pass --cloud NAME (a cloud in clouds.yaml), or set OS_CLOUD, or source your openrc (OS_AUTH_URL and friends)\n",
    );
    writeFileSync(join(home, "clouds.yaml"), stringify({ clouds: { one: { auth: { auth_url: os.authUrl } } } }));
    const unknown = await slipwayAsync(["image", "upload", file, "--name", "x", "--cloud", "two"], { env: env(), cwd: home });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`slipway: ${join(home, "clouds.yaml")} has no cloud "two" (it has: one)\n`);
    const incomplete = await slipwayAsync(["image", "upload", file, "--name", "x", "--cloud", "one"], { env: env(), cwd: home });
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toBe(`slipway: clouds.yaml cloud "one" (${join(home, "clouds.yaml")}): username is missing\n`);
    const named = await slipwayAsync(["image", "upload", file, "--name", "x", "--cloud", "one"], {
      env: env({ OS_CLIENT_CONFIG_FILE: join(home, "nope.yaml") }),
      cwd: home,
    });
    expect(named.code).toBe(1);
    expect(named.stderr).toBe(`slipway: OS_CLIENT_CONFIG_FILE=${join(home, "nope.yaml")}: no such file\n`);
    for (const r of [badPw, badSecret, down, pub, missing, none, unknown, incomplete, named]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses bad arguments before doing anything", async () => {
    const noName = await slipwayAsync(["image", "upload", "x.qcow2"], { env: env() });
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain("required option '--name <name>' not specified");
    const reserved = await slipwayAsync(["image", "upload", "x.qcow2", "--name", "a", "--property", "visibility=public"], { env: env() });
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toBe("slipway: --property visibility: that is Glance's own field, not a property (use --visibility)\n");
    const malformed = await slipwayAsync(["image", "upload", "x.qcow2", "--name", "a", "--property", "novalue"], { env: env() });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe("slipway: --property novalue: expected key=value (key: letters, digits, _ : . -)\n");
    const vis = await slipwayAsync(["image", "upload", "x.qcow2", "--name", "a", "--visibility", "everyone"], { env: env() });
    expect(vis.code).toBe(2);
  });
});
