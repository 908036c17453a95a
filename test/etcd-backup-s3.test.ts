// etcd backups to S3 (the AWS store) on real components: a real etcd (Debian's) with
// authentication on, started from the AWS demo member's rendered certificates; the real Swift
// proxy with its S3 API (s3api + s3token, SigV4 checked against a Keystone EC2 credential); and
// the backup script exactly as the AWS member's rendered etcd-backup.service runs it. What moves:
// the member's endpoint to 127.0.0.1 (its certificate names it), the bucket's URL to the local S3
// API (virtual-hosted, as on AWS, under s3.localhost), and the metadata service to a stand-in on
// loopback that answers only the IMDSv2 way (a session token first) with the credential of the
// instance's role — no EC2 runs here. Proves: the snapshot lands in each tier with a marker,
// signed well enough for a real SigV4 verifier; a wrong secret or an IMDSv1-only machine uploads
// nothing and fails loudly; what is stored decrypts with the key only the PKI holds; no secret
// is left in the work folder, nor passed on a command line. The IAM policy that lets the role
// only put objects, and the lifecycle rules that expire the tiers, are AWS's and checked in
// aws-stack.test.ts; Swift's S3 API has neither.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainSnapshot } from "../bin/etcd-restore";
import { BACKUP_ENV } from "../bootstrap/parts/etcd-backup";
import { renderNode } from "../bootstrap/render";
import { ROOT, awsCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { NodeRoot } from "./helpers/node-root";
import { type OpenStack, startOpenStack } from "./helpers/openstack";
import { healthyWithRootAuth } from "./helpers/etcd-auth";
import { freePort } from "./helpers/ports";
import { type Swift, startSwift } from "./helpers/swift";

const work = tmp("slipway-etcd-backup-s3-");
const MACHINE_BIN = join(ROOT, "test", "helpers", "machine-bin");
const PATH = `${MACHINE_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`;
const cluster = awsCluster();
const REGION = cluster.config.cloud === "aws" ? cluster.config.aws.region : "";
const BUCKET = "demo-aws-etcd-backups-20261202";
const pkiDir = join(work.dir, "pki");
const MIDNIGHT = Date.UTC(2026, 11, 2) / 1000;

let os: OpenStack;
let swift: Swift;
let imds: Server;
let imdsUrl = "";
let root: NodeRoot;
let member: ChildProcess | undefined;
let client = 0;
/** what the stand-in metadata service hands out as the role's credential */
let roleCredential = { AccessKeyId: "", SecretAccessKey: "", Token: "" };
const imdsLog: string[] = [];

const run = (cmd: string, args: string[], env: Record<string, string> = {}, input?: Buffer) =>
  spawnSync(cmd, args, { env: { PATH, ...env }, input, encoding: input ? undefined : "utf8", maxBuffer: 1 << 28, timeout: 120_000 });

function etcdctl(args: string[]) {
  return run("etcdctl", args, {
    ETCDCTL_API: "3",
    ETCDCTL_ENDPOINTS: `https://127.0.0.1:${client}`,
    ETCDCTL_CACERT: root.at("/etc/ssl/etcd/ca.crt"),
    ETCDCTL_CERT: root.at("/etc/ssl/etcd/root.crt"),
    ETCDCTL_KEY: root.at("/etc/ssl/etcd/root.key"),
  }) as { status: number | null; stdout: string; stderr: string };
}

/**
 * The rendered etcd-backup.service, run as systemd would, at `now`, with the metadata service at
 * `at` — without blocking this process, which serves the stand-in metadata service.
 */
function backupRun(now: number, at = imdsUrl): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { argv, env } = root.unitCommand("etcd-backup.service");
  // every curl's command line is written down (then the real curl runs)
  const spy = join(work.dir, "spy");
  mkdirSync(spy, { recursive: true });
  writeFileSync(join(spy, "curl"), `#!/bin/sh\nprintf '%s\\n' "$*" >>${join(work.dir, "curl-argv.log")}\nexec /usr/bin/curl "$@"\n`, {
    mode: 0o755,
  });
  const p = spawn(argv[0] as string, argv.slice(1), {
    env: {
      ...env,
      PATH: `${spy}:${PATH}`,
      ETCDCTL_ENDPOINTS: `https://127.0.0.1:${client}`,
      BACKUP_WORKDIR: join(work.dir, "backup-work"),
      BACKUP_NOW: String(now),
      IMDS_URL: at,
    },
  });
  const out = { stdout: "", stderr: "" };
  p.stdout.on("data", (d) => (out.stdout += d));
  p.stderr.on("data", (d) => (out.stderr += d));
  const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
  return new Promise((resolve) =>
    p.on("close", (status) => {
      clearTimeout(timer);
      // etcdctl's own log lines (JSON) are not the script's
      resolve({ status, stdout: out.stdout, stderr: out.stderr.replace(/^\{"level".*\n/gm, "") });
    }),
  );
}

async function listing(prefix: string): Promise<string[]> {
  const r = await swift.asOwner("GET", `/${BUCKET}?prefix=${encodeURIComponent(prefix)}&format=json`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { name: string }[]).map((o) => o.name);
}

/** A stand-in of EC2's instance metadata service: IMDSv2 only, one role. */
function startImds(): Promise<number> {
  const tokens = new Set<string>();
  imds = createServer((req, res) => {
    imdsLog.push(`${req.method} ${req.url}`);
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!(ttl >= 1 && ttl <= 21600)) return res.writeHead(400).end();
      const t = `imds-token-${tokens.size}`;
      tokens.add(t);
      return res.writeHead(200, { "Content-Type": "text/plain" }).end(t);
    }
    // IMDSv2 only: no session token, no answer (what EC2 does with http_tokens = required)
    if (!tokens.has(String(req.headers["x-aws-ec2-metadata-token"]))) return res.writeHead(401).end();
    if (req.method === "GET" && req.url === "/latest/meta-data/iam/security-credentials/") return res.writeHead(200).end("demo-aws-etcd");
    if (req.method === "GET" && req.url === "/latest/meta-data/iam/security-credentials/demo-aws-etcd")
      return res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ Code: "Success", Type: "AWS-HMAC", ...roleCredential, Expiration: "2026-12-02T06:00:00Z" }));
    res.writeHead(404).end();
  });
  return new Promise((resolve) => imds.listen(0, "127.0.0.1", () => resolve((imds.address() as { port: number }).port)));
}

describe("etcd backups to S3: the AWS member's script against a real S3 API", () => {
  beforeAll(async () => {
    os = await startOpenStack(join(work.dir, "openstack"), { glance: false });
    swift = await startSwift(join(work.dir, "swift"), os, { s3Region: REGION });
    imdsUrl = `http://127.0.0.1:${await startImds()}`;
    // the bucket (Terraform's on AWS): a container of the demo project
    expect((await swift.asOwner("PUT", `/${BUCKET}`)).status).toBe(201);
    const ec2 = await swift.ec2Credential();
    roleCredential = { AccessKeyId: ec2.access, SecretAccessKey: ec2.secret, Token: "session-token-of-the-role" };
    const port = Number(new URL(swift.url).port);
    const { config } = await renderNode(cluster, {
      target: { role: "etcd", index: 0 },
      pkiDir,
      secrets: { "etcd-backup-s3-url": `http://${BUCKET}.s3.localhost:${port}`, "etcd-backup-region": REGION },
    });
    mkdirSync(join(work.dir, "root"), { recursive: true });
    ignitionApply(config, join(work.dir, "root"));
    root = new NodeRoot(join(work.dir, "root"));
    client = await freePort();
    const peer = await freePort();
    const tls = (f: string) => root.at(`/etc/ssl/etcd/${f}`);
    member = spawn(
      "etcd",
      [
        "--name=m0",
        `--data-dir=${join(work.dir, "data")}`,
        `--listen-client-urls=https://127.0.0.1:${client}`,
        `--advertise-client-urls=https://127.0.0.1:${client}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=m0=http://127.0.0.1:${peer}`,
        `--cert-file=${tls("member.crt")}`,
        `--key-file=${tls("member.key")}`,
        `--trusted-ca-file=${tls("ca.crt")}`,
        "--client-cert-auth",
      ],
      { stdio: "ignore" },
    );
    await healthyWithRootAuth(etcdctl);
    for (let k = 0; k < 20; k++) expect(etcdctl(["put", `/registry/secrets/kube-system/s${k}`, `s3-secret-${k}`]).status).toBe(0);
  }, 240_000);

  afterAll(async () => {
    if (member?.exitCode === null) member.kill("SIGKILL");
    await new Promise<void>((r) => (imds ? imds.close(() => r()) : r()));
    await swift?.stop();
    await os?.stop();
    work.cleanup();
  }, 60_000);

  it("the member's config carries the S3 part of the script and no static key", () => {
    const env = root.envFile(BACKUP_ENV);
    expect(env).toMatchObject({ BACKUP_STORE: "s3", S3_REGION: REGION, BACKUP_PREFIX: "demo-aws" });
    expect(Object.keys(env).filter((k) => /KEY|SECRET|SWIFT/.test(k) && !k.startsWith("ETCDCTL"))).toEqual([]);
    const script = root.read("/opt/slipway/bin/etcd-backup");
    expect(script).toContain("store_login");
    expect(script).not.toContain("SWIFT_AUTH_URL");
  });

  it("uploads the leader's snapshot to each tier and the marker, signed with the role's credential from IMDSv2", async () => {
    const r = await backupRun(MIDNIGHT);
    expect(r.status, `${r.stdout}\n${r.stderr}\n${swift.log()}`).toBe(0);
    expect(r.stdout).toMatch(/etcd-backup: revision \d+ .* → demo-aws\/\{recent,hourly,daily\}\//);
    for (const tier of ["recent", "hourly", "daily"]) {
      const names = await listing(`demo-aws/${tier}/`);
      expect(names, tier).toHaveLength(1);
      expect(names[0]).toMatch(/^demo-aws\/[a-z]+\/2026-12-02T000000Z-r\d+\.db\.gz\.cms$/);
    }
    const latest = (await (await swift.asOwner("GET", `/${BUCKET}/demo-aws/latest.json`)).json()) as Record<string, unknown>;
    expect(latest).toMatchObject({ time: "2026-12-02T00:00:00Z", object: (await listing("demo-aws/recent/"))[0] });
    // the IMDSv2 way: a session token first, then the role and its credential
    expect(imdsLog.slice(0, 3)).toEqual([
      "PUT /latest/api/token",
      "GET /latest/meta-data/iam/security-credentials/",
      "GET /latest/meta-data/iam/security-credentials/demo-aws-etcd",
    ]);
    // nothing of the credential is left behind, nor was any of it on a command line
    expect(readdirSync(join(work.dir, "backup-work"))).toEqual([]);
    const argv = readFileSync(join(work.dir, "curl-argv.log"), "utf8");
    expect(argv).toContain("--aws-sigv4 aws:amz:eu-central-1:s3");
    for (const secret of [roleCredential.SecretAccessKey, roleCredential.Token, "imds-token-0"]) expect(argv).not.toContain(secret);
  });

  it("what is stored is what slipway etcd restore takes: decrypted with the key only the PKI holds, a snapshot of the data", async () => {
    const [name] = await listing("demo-aws/daily/");
    const body = Buffer.from(await (await swift.asOwner("GET", `/${BUCKET}/${name}`)).arrayBuffer());
    expect(body.includes(Buffer.from("s3-secret-"))).toBe(false);
    const object = join(work.dir, "downloaded.db.gz.cms");
    writeFileSync(object, body);
    const restoreWork = join(work.dir, "restore-work");
    mkdirSync(restoreWork, { mode: 0o700 });
    const snapshot = await plainSnapshot(cluster, { pki: pkiDir }, object, restoreWork);
    const status = run("etcdutl", ["snapshot", "status", "-w", "json", snapshot]);
    expect(status.status, String(status.stderr)).toBe(0);
    expect(JSON.parse(String(status.stdout)).totalKey).toBeGreaterThanOrEqual(20);
  });

  it("a wrong secret is refused by the S3 API's signature check: the run fails and uploads nothing", async () => {
    const before = await listing("demo-aws/");
    const good = roleCredential;
    roleCredential = { ...good, SecretAccessKey: `${good.SecretAccessKey.slice(0, -2)}xx` };
    try {
      const r = await backupRun(MIDNIGHT + 15 * 60);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/curl: \(22\).*(403|401)/);
      expect(await listing("demo-aws/")).toEqual(before);
      expect(readdirSync(join(work.dir, "backup-work"))).toEqual([]);
    } finally {
      roleCredential = good;
    }
    // and with the right one, the next slot goes to recent/ only
    const ok = await backupRun(MIDNIGHT + 30 * 60);
    expect(ok.status, ok.stderr).toBe(0);
    expect(await listing("demo-aws/recent/")).toHaveLength(2);
    expect(await listing("demo-aws/hourly/")).toHaveLength(1);
  });

  it("a metadata service that gives no role, or none at all, fails the run with one line", async () => {
    const none = await backupRun(MIDNIGHT + 45 * 60, "http://127.0.0.1:9");
    expect(none.status).not.toBe(0);
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
    expect(none.stderr).toMatch(/curl: \(7\)/);
  });
});
