// etcd backups on real components: a 3-member etcd (Debian's) with authentication on, started
// from the certificates of the demo's rendered member configs; the real Keystone and Swift of
// ./helpers (Swift's keystonemiddleware enforcing access rules); and the backup script itself as
// the rendered etcd-backup.service would run it, with its rendered environment — only the etcd
// endpoint moved to this host's 127.0.0.1 (the member certificates name it) and paths into the
// rendered root. Proves: only the leader uploads; three tiers with the retention the file asks
// for; a marker for freshness alerts; the object is encrypted (no plaintext in it, a changed byte
// refused) and the key only the local PKI holds decrypts it to a snapshot etcd restores with the
// data; the machine's credential can PUT and nothing else (no GET, HEAD, DELETE, nor another
// container). Every process is stopped by PID and the folders removed, also on failure.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_CONTAINER, BACKUP_ENV, backupCalendar, backupSeconds } from "../bootstrap/parts/etcd-backup";
import { renderNode } from "../bootstrap/render";
import { ROOT, awsYaml, bakedDemoFile, bakedDemoYaml, synthJson, tmp } from "./helpers/clusters";
import { applyOffline } from "./helpers/terraform";
import { slipway } from "./helpers/run";
import { ignitionApply } from "./helpers/ignition";
import { NodeRoot } from "./helpers/node-root";
import { type OpenStack, startOpenStack } from "./helpers/openstack";
import { healthyWithRootAuth } from "./helpers/etcd-auth";
import { freePort } from "./helpers/ports";
import { type Swift, startSwift } from "./helpers/swift";
import { backupAccessPath } from "../stacks/openstack/backups";

const work = tmp("slipway-etcd-backup-");
const MACHINE_BIN = join(ROOT, "test", "helpers", "machine-bin");
const PATH = `${MACHINE_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`;
const { cluster } = bakedDemoFile(work.dir);
const container = BACKUP_CONTAINER(cluster.config.name);
const pkiDir = join(work.dir, "pki");
const MIDNIGHT_2 = Date.UTC(2026, 11, 2) / 1000;

let os: OpenStack;
let swift: Swift;
let credential: { id: string; secret: string };
const members: { name: string; root: NodeRoot; client: number; peer: number; proc?: ChildProcess; dir: string }[] = [];

const run = (cmd: string, args: string[], env: Record<string, string> = {}, input?: Buffer) =>
  spawnSync(cmd, args, { env: { PATH, ...env }, input, encoding: input ? undefined : "utf8", maxBuffer: 1 << 28, timeout: 120_000 });

/** etcdctl as etcd's root (the members' own certificate), at one member or all. */
function etcdctl(args: string[], endpoints = members.map((m) => `https://127.0.0.1:${m.client}`).join(",")) {
  const m = members[0] as (typeof members)[number];
  return run("etcdctl", args, {
    ETCDCTL_API: "3",
    ETCDCTL_ENDPOINTS: endpoints,
    ETCDCTL_CACERT: m.root.at("/etc/ssl/etcd/ca.crt"),
    ETCDCTL_CERT: m.root.at("/etc/ssl/etcd/root.crt"),
    ETCDCTL_KEY: m.root.at("/etc/ssl/etcd/root.key"),
  }) as { status: number | null; stdout: string; stderr: string };
}

/** The rendered etcd-backup.service of member i, run as systemd would, at `now` (seconds). */
function backupRun(i: number, now: number) {
  const m = members[i] as (typeof members)[number];
  const { argv, env } = m.root.unitCommand("etcd-backup.service");
  const r = run(argv[0] as string, argv.slice(1), {
    ...env,
    PATH,
    // the one thing moved: this host's address of the member (its certificate names 127.0.0.1)
    ETCDCTL_ENDPOINTS: `https://127.0.0.1:${m.client}`,
    BACKUP_WORKDIR: join(m.dir, "work"),
    BACKUP_NOW: String(now),
  }) as { status: number | null; stdout: string; stderr: string };
  return r;
}

async function tokenOf(cred: { id: string; secret: string }): Promise<string> {
  const r = await fetch(`${os.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ auth: { identity: { methods: ["application_credential"], application_credential: cred } } }),
  });
  if (r.status !== 201) throw new Error(`app credential token: HTTP ${r.status}`);
  return r.headers.get("x-subject-token") as string;
}

async function listing(prefix: string): Promise<string[]> {
  const r = await swift.asOwner("GET", `/${container}?prefix=${encodeURIComponent(prefix)}&format=json`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { name: string }[]).map((o) => o.name);
}

describe("etcd backups: the leader's snapshot, encrypted, in Swift through a write-only credential", () => {
  beforeAll(async () => {
    os = await startOpenStack(join(work.dir, "openstack"), { glance: false });
    swift = await startSwift(join(work.dir, "swift"), os);
    // what Terraform makes (stacks/openstack/backups.ts): the container, and the credential with its access rule
    expect((await swift.asOwner("PUT", `/${container}`)).status).toBe(201);
    const demoToken = await os.demoToken();
    const made = await fetch(`${os.authUrl}/users/${os.demo.userId}/application_credentials`, {
      method: "POST",
      headers: { "X-Auth-Token": demoToken, "Content-Type": "application/json" },
      body: JSON.stringify({
        application_credential: {
          name: "etcd-backups",
          roles: [{ name: "member" }],
          unrestricted: false,
          access_rules: [{ service: "object-store", method: "PUT", path: backupAccessPath(container) }],
        },
      }),
    });
    expect(made.status).toBe(201);
    credential = ((await made.json()) as { application_credential: { id: string; secret: string } }).application_credential;

    // the members' rendered configs, with the store's values as Terraform would fill them in
    const secrets = {
      "etcd-backup-credential-id": credential.id,
      "etcd-backup-credential-secret": credential.secret,
      "etcd-backup-auth-url": os.authUrl,
      "etcd-backup-region": "RegionOne",
    } as const;
    const initial: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { config } = await renderNode(cluster, { target: { role: "etcd", index: i }, pkiDir, secrets });
      const dir = join(work.dir, `m${i}`);
      mkdirSync(join(dir, "root"), { recursive: true });
      ignitionApply(config, join(dir, "root"));
      const m = {
        name: cluster.plan.etcd[i]?.name as string,
        root: new NodeRoot(join(dir, "root")),
        client: await freePort(),
        peer: await freePort(),
        dir,
      };
      members.push(m);
      initial.push(`${m.name}=https://127.0.0.1:${m.peer}`);
    }
    for (const m of members) {
      const tls = (f: string) => m.root.at(`/etc/ssl/etcd/${f}`);
      m.proc = spawn(
        "etcd",
        [
          `--name=${m.name}`,
          `--data-dir=${join(m.dir, "data")}`,
          `--listen-client-urls=https://127.0.0.1:${m.client}`,
          `--advertise-client-urls=https://127.0.0.1:${m.client}`,
          `--listen-peer-urls=https://127.0.0.1:${m.peer}`,
          `--initial-advertise-peer-urls=https://127.0.0.1:${m.peer}`,
          `--initial-cluster=${initial.join(",")}`,
          "--initial-cluster-state=new",
          `--cert-file=${tls("member.crt")}`,
          `--key-file=${tls("member.key")}`,
          `--trusted-ca-file=${tls("ca.crt")}`,
          "--client-cert-auth",
          `--peer-cert-file=${tls("member.crt")}`,
          `--peer-key-file=${tls("member.key")}`,
          `--peer-trusted-ca-file=${tls("ca.crt")}`,
          "--peer-client-cert-auth",
        ],
        { stdio: "ignore" },
      );
    }
    // authentication on, as etcd-auth leaves it: root by its certificate's name
    await healthyWithRootAuth(etcdctl);
    for (let k = 0; k < 50; k++) expect(etcdctl(["put", `/registry/secrets/default/s${k}`, `secret-value-${k}`]).status).toBe(0);
  }, 240_000);

  afterAll(async () => {
    for (const m of members) if (m.proc?.exitCode === null) m.proc.kill("SIGKILL");
    await swift?.stop();
    await os?.stop();
    work.cleanup();
  }, 60_000);

  const MIDNIGHT = MIDNIGHT_2;

  it("only the leader uploads: every member runs it, one snapshot lands in each tier the slot asks for, and the marker", async () => {
    const results = members.map((_, i) => backupRun(i, MIDNIGHT));
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const uploaded = results.filter((r) => /etcd-backup: revision \d+/.test(r.stdout));
    expect(uploaded, results.map((r) => r.stdout + r.stderr).join("\n")).toHaveLength(1);
    expect(results.filter((r) => /does not lead/.test(r.stdout))).toHaveLength(2);
    // midnight is the day's and the hour's first slot: all three tiers
    const prefix = cluster.config.name;
    for (const tier of ["recent", "hourly", "daily"]) {
      const names = await listing(`${prefix}/${tier}/`);
      expect(names, tier).toHaveLength(1);
      expect(names[0]).toMatch(new RegExp(`^${prefix}/${tier}/2026-12-02T000000Z-r\\d+\\.db\\.gz\\.cms$`));
    }
    // each tier expires by itself, after what the file keeps (X-Delete-At = upload time + keep)
    const keep = backupSeconds(cluster.config.etcd.backup);
    for (const [tier, seconds] of Object.entries({ recent: keep.recent, hourly: keep.hourly, daily: keep.daily })) {
      const [name] = await listing(`${prefix}/${tier}/`);
      const head = await swift.asOwner("HEAD", `/${container}/${name}`);
      const deleteAt = Number(head.headers.get("x-delete-at"));
      expect(Math.abs(deleteAt - (Date.now() / 1000 + seconds)), tier).toBeLessThan(600);
    }
    const latest = (await (await swift.asOwner("GET", `/${container}/${prefix}/latest.json`)).json()) as Record<string, unknown>;
    expect(latest).toMatchObject({ time: "2026-12-02T00:00:00Z", object: (await listing(`${prefix}/recent/`))[0] });
    expect(Number(latest.revision)).toBeGreaterThan(50);
    // the marker never expires
    expect((await swift.asOwner("HEAD", `/${container}/${prefix}/latest.json`)).headers.get("x-delete-at")).toBeNull();
    // a slot within the hour goes to recent/ only
    const leader = results.findIndex((r) => /etcd-backup: revision/.test(r.stdout));
    expect(backupRun(leader, MIDNIGHT + 15 * 60).status).toBe(0);
    expect(await listing(`${prefix}/recent/`)).toHaveLength(2);
    expect(await listing(`${prefix}/hourly/`)).toHaveLength(1);
  });

  it("the object is encrypted; the key only Terraform state (here the local PKI) holds decrypts it to a snapshot etcd restores", async () => {
    const [name] = await listing(`${cluster.config.name}/daily/`);
    const body = Buffer.from(await (await swift.asOwner("GET", `/${container}/${name}`)).arrayBuffer());
    expect(body.length).toBeGreaterThan(1000);
    // nothing of the data in the clear (the snapshot is compressed first, then encrypted)
    expect(body.includes(Buffer.from("secret-value-"))).toBe(false);
    const key = join(pkiDir, "etcd-backup.key");
    const cert = join(pkiDir, "etcd-backup.crt");
    const decrypt = (input: Buffer) =>
      run("openssl", ["cms", "-decrypt", "-binary", "-inform", "DER", "-inkey", key, "-recip", cert], {}, input);
    const plain = decrypt(body);
    expect(plain.status, String(plain.stderr)).toBe(0);
    const changed = Buffer.from(body);
    const at = Math.floor(changed.length / 2);
    changed[at] = (changed[at] as number) ^ 1;
    expect(decrypt(changed).status).not.toBe(0);
    // the machines hold only the certificate
    expect(() => members[0]?.root.read("/etc/ssl/etcd/backup-recipient.key")).toThrow();
    const snapshot = join(work.dir, "restored.db");
    writeFileSync(snapshot, spawnSync("gunzip", ["-c"], { input: plain.stdout as Buffer, maxBuffer: 1 << 28 }).stdout);
    const status = run("etcdutl", ["snapshot", "status", "-w", "json", snapshot]);
    expect(status.status, String(status.stderr)).toBe(0);
    expect(JSON.parse(String(status.stdout)).totalKey).toBeGreaterThanOrEqual(50);
    // restored into a data directory, a fresh etcd serves the data
    const dataDir = join(work.dir, "restored");
    const port = await freePort();
    const peer = await freePort();
    const restore = run(
      "etcdctl",
      [
        "snapshot",
        "restore",
        snapshot,
        `--data-dir=${dataDir}`,
        "--name=restored",
        `--initial-cluster=restored=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      ],
      { ETCDCTL_API: "3" },
    );
    expect(restore.status, String(restore.stderr)).toBe(0);
    const tls = (f: string) => (members[0] as (typeof members)[number]).root.at(`/etc/ssl/etcd/${f}`);
    const p = spawn(
      "etcd",
      [
        `--data-dir=${dataDir}`,
        "--name=restored",
        `--listen-client-urls=https://127.0.0.1:${port}`,
        `--advertise-client-urls=https://127.0.0.1:${port}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=restored=http://127.0.0.1:${peer}`,
        `--cert-file=${tls("member.crt")}`,
        `--key-file=${tls("member.key")}`,
        `--trusted-ca-file=${tls("ca.crt")}`,
        "--client-cert-auth",
      ],
      { stdio: "ignore" },
    );
    try {
      // authentication came along with the data: etcd's root, by its certificate, reads it back
      let got = "";
      const end = Date.now() + 20_000;
      while (Date.now() < end && !got) {
        got = etcdctl(["get", "--print-value-only", "/registry/secrets/default/s7"], `https://127.0.0.1:${port}`).stdout.trim();
        if (!got) await new Promise((r) => setTimeout(r, 500));
      }
      expect(got).toBe("secret-value-7");
    } finally {
      p.kill("SIGKILL");
    }
  });

  it("the machines' credential can PUT into the container and nothing else", async () => {
    const token = await tokenOf(credential);
    const [name] = await listing(`${cluster.config.name}/recent/`);
    const as = (method: string, path: string, body?: string) =>
      fetch(`${swift.account}${path}`, { method, headers: { "X-Auth-Token": token }, ...(body !== undefined ? { body } : {}) });
    expect((await as("PUT", `/${container}/probe`, "x")).status).toBe(201);
    for (const [method, path] of [
      ["GET", `/${container}/${name}`],
      ["HEAD", `/${container}/${name}`],
      ["DELETE", `/${container}/${name}`],
      ["GET", `/${container}`],
      ["PUT", "/another-container/x"],
    ] as const)
      expect([401, 403], `${method} ${path}`).toContain((await as(method, path, method === "PUT" ? "x" : undefined)).status);
    // the object is still there
    expect((await swift.asOwner("HEAD", `/${container}/${name}`)).status).toBe(200);
  });

  it("the rendered environment holds the credential only in the member's 0600 EnvironmentFile", () => {
    const m = members[0] as (typeof members)[number];
    expect(m.root.envFile(BACKUP_ENV)).toMatchObject({ SWIFT_CREDENTIAL_ID: credential.id, SWIFT_CREDENTIAL_SECRET: credential.secret });
    const mode = spawnSync("stat", ["-c", "%a", m.root.at(BACKUP_ENV)], { encoding: "utf8" }).stdout.trim();
    expect(mode).toBe("600");
    expect(readFileSync(m.root.at("/etc/systemd/system/etcd-backup.service"), "utf8")).not.toContain(credential.secret);
  });
});

describe("etcd backups: when the timer fires (systemd's own reading of the calendar)", () => {
  it("every allowed interval fires at midnight and then every N minutes, all day; others are refused by the file", () => {
    for (const every of [5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440]) {
      const n = Math.min(1440 / every, 300);
      const r = spawnSync(
        "systemd-analyze",
        ["calendar", "--base-time=2026-12-01 23:59:59 UTC", `--iterations=${n}`, backupCalendar(every)],
        { encoding: "utf8", env: { PATH, TZ: "UTC" } },
      );
      expect(r.status, r.stderr).toBe(0);
      const times = [...r.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map(
        (m) => Date.parse(`${m[1]?.replace(" ", "T")}Z`) / 1000,
      );
      expect(times, String(every)).toHaveLength(n);
      for (const [i, t] of times.entries()) expect(t, `every ${every}: elapse ${i}`).toBe(MIDNIGHT_2 + i * every * 60);
    }
    for (const bad of [7, 45, 90, 100]) {
      const t = tmp("slipway-backup-bad-");
      try {
        const f = join(t.dir, "c.yaml");
        writeFileSync(f, bakedDemoYaml([[["etcd", "backup"], { everyMinutes: bad }]]));
        const r = slipway(["validate", f]);
        expect(r.code, String(bad)).toBe(1);
        expect(r.stderr.trim()).toMatch(/c\.yaml:\d+:\d+: etcd\.backup\.everyMinutes: must divide an hour/);
      } finally {
        t.cleanup();
      }
    }
  });

  it("AWS takes it (to S3, see etcd-backup-s3.test.ts); with it off nothing of it reaches a member", async () => {
    const t = tmp("slipway-backup-aws-");
    try {
      const f = join(t.dir, "aws.yaml");
      writeFileSync(f, awsYaml([[["etcd", "backup"], true]]));
      const r = slipway(["validate", f]);
      expect(r.code, r.stderr).toBe(0);
      const off = bakedDemoFile(t.dir, [[["etcd", "backup"], false]], "off.yaml").cluster;
      const { config } = await renderNode(off, { target: { role: "etcd", index: 0 }, pkiDir: join(t.dir, "pki") });
      expect(config).not.toContain("etcd-backup");
    } finally {
      t.cleanup();
    }
  });
});

describe("etcd backups: the store's values on their way into a member's EnvironmentFile", () => {
  it("Terraform writes them as they are and refuses, at apply, one that could break the line; render refuses it too", async () => {
    const tf = synthJson(bakedDemoFile(join(work.dir, "synth")).cluster);
    const ud = (tf.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>).etcd_0?.user_data ?? "";
    const calls = [...ud.matchAll(/regex\(("(?:[^"\\]|\\.)*"), ([^)]+)\)/g)];
    expect(calls.map((c) => c[2])).toEqual([
      "local.keystone_url",
      '"RegionOne"',
      "openstack_identity_application_credential_v3.etcd_backups.id",
      "openstack_identity_application_credential_v3.etcd_backups.secret",
    ]);
    // the very pattern, as synthesized, on values real Terraform evaluates
    const pattern = calls[0]?.[1] as string;
    const out = applyOffline(join(work.dir, "tf-env"), {
      output: {
        url: { value: `\${regex(${pattern}, "https://keystone.example.com:5000/v3")}` },
        secret: { value: `\${regex(${pattern}, "Zx9_-abcDEF0123456789")}` },
      },
    });
    expect(out.url?.value).toBe("https://keystone.example.com:5000/v3");
    expect(out.secret?.value).toBe("Zx9_-abcDEF0123456789");
    for (const bad of ["a b", 'x"y', "$(reboot)", "a\nb"])
      expect(() =>
        applyOffline(join(work.dir, `tf-bad-${bad.length}`), { output: { v: { value: `\${regex(${pattern}, ${JSON.stringify(bad)})}` } } }),
      ).toThrow(/pattern did not match/);
    // render: one clear line
    await expect(
      renderNode(cluster, {
        target: { role: "etcd", index: 0 },
        pkiDir: join(work.dir, "pki-bad"),
        secrets: {
          "etcd-backup-credential-id": "abc",
          "etcd-backup-credential-secret": "s e c r e t",
          "etcd-backup-auth-url": "https://k/v3",
          "etcd-backup-region": "RegionOne",
        },
      }),
    ).rejects.toThrow(/SLIPWAY_SECRET_ETCD_BACKUP_CREDENTIAL_SECRET holds characters an EnvironmentFile line cannot/);
  });
});
