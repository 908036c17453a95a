// `slipway certs renew`: the certificates of a Terraform state put on running machines. The
// machines are folders written by the real `ignition` from the demo's rendered configs (the PKI
// of an earlier apply); the state is a format-4 state of a PKI whose leaves were re-issued, as
// `terraform apply` re-issues them within pki.renewBeforeDays. The ssh stand-in runs each
// command here on the machine's folder (its /etc is the folder's, in commands and their output; its 127.0.0.1 is
// 127.0.33.<last octet>, where the test serves the member's etcd health endpoint; `systemctl
// reboot` gives it a new boot id and a few seconds of ill health). What only real machines
// prove: that every service reads the new files after the reboot (the VM tier reboots members).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pemsFromState, pkiFiles } from "../bin/certs-renew";
import type { NodeTarget } from "../bootstrap/node";
import { localPki } from "../bootstrap/pki/local";
import { certSpecs } from "../bootstrap/pki/spec";
import { renderNode } from "../bootstrap/render";
import { demoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { expectOneLineRefusals, slipwayAsync, sshStandIn } from "./helpers/run";

const work = tmp("slipway-certs-renew-");
const cluster = demoCluster();
const members = cluster.plan.etcd;
const octet = (ip: string) => ip.split(".")[3] as string;
const rootOf = (ip: string) => join(work.dir, "machines", ip);
const sshLog = join(work.dir, "ssh.log");
const events = join(work.dir, "events");
const servers: Server[] = [];
const pkiA = join(work.dir, "pki-a");
const pkiB = join(work.dir, "pki-b");

/** A format-4 Terraform state of a local PKI, named as stacks/pki.ts names its resources. */
async function stateOf(dir: string, file: string): Promise<string> {
  const { certs } = await localPki(cluster, dir);
  const resources: unknown[] = [];
  for (const spec of certSpecs(cluster)) {
    const id = spec.name.replace(/[^A-Za-z0-9_-]/g, "_");
    const c = certs.get(spec.name);
    if (!c) continue;
    resources.push({
      mode: "managed",
      type: "tls_private_key",
      name: `key_${id}`,
      instances: [{ attributes: { private_key_pem: c.key, public_key_pem: c.publicKey } }],
    });
    if (spec.kind !== "keypair")
      resources.push({
        mode: "managed",
        type: spec.kind === "leaf" ? "tls_locally_signed_cert" : "tls_self_signed_cert",
        name: `cert_${id}`,
        instances: [{ attributes: { cert_pem: c.cert } }],
      });
  }
  writeFileSync(file, JSON.stringify({ version: 4, terraform_version: "1.9.8", serial: 7, resources }));
  return file;
}

const healthy = (o: string) => {
  if (existsSync(join(work.dir, `dead-${o}`))) return false;
  const down = join(work.dir, `down-${o}`);
  return !existsSync(down) || Date.now() > statSync(down).mtimeMs + 3000;
};

const renew = (extra: string[]) =>
  slipwayAsync(["certs", "renew", "--state", join(work.dir, "state-b.json"), "--ssh", join(work.dir, "ssh"), "--yes", ...extra], {
    timeoutMs: 300_000,
  });
const rebooted = () => (existsSync(events) ? readFileSync(events, "utf8").trim().split("\n").filter(Boolean) : []);

/** The machines as the first apply made them. */
async function freshMachines(): Promise<void> {
  rmSync(join(work.dir, "machines"), { recursive: true, force: true });
  rmSync(events, { force: true });
  for (const m of members) {
    const { config } = await renderNode(cluster, { target: { role: "etcd", index: m.index }, pkiDir: pkiA });
    mkdirSync(rootOf(m.ip), { recursive: true });
    ignitionApply(config, rootOf(m.ip));
    // the machine's /proc: its boot id (Ignition wrote its files in this boot, as on a machine never rebooted)
    mkdirSync(join(rootOf(m.ip), "proc/sys/kernel/random"), { recursive: true });
    writeFileSync(join(rootOf(m.ip), "proc/sys/kernel/random/boot_id"), `boot-${m.ip}-0\n`);
  }
}

beforeAll(async () => {
  await localPki(cluster, pkiA);
  await freshMachines();
  // a later apply re-issued the members' own certificates and the etcd group's proxy client one
  cpSync(pkiA, pkiB, { recursive: true });
  for (const f of ["etcd-member-0", "etcd-member-1", "etcd-member-2", "etcd-proxy-client-etcd"])
    for (const ext of [".crt", ".key"]) rmSync(join(pkiB, `${f}${ext}`), { force: true });
  await stateOf(pkiB, join(work.dir, "state-b.json"));
  await stateOf(pkiA, join(work.dir, "state-a.json"));

  sshStandIn(
    join(work.dir, "ssh"),
    sshLog,
    `root=${join(work.dir, "machines")}/$host
cmd="$*"
[ -d "$root" ] || { echo "ssh: connect to host $host port 22: No route to host" >&2; exit 255; }
cmd=\${cmd#sudo }
o=\${host##*.}
case "$cmd" in
  "systemctl reboot")
    [ -e ${work.dir}/dies-$o ] && touch ${work.dir}/dead-$o
    echo "boot-$host-$(date +%s%N)" > "$root/proc/sys/kernel/random/boot_id"
    touch ${work.dir}/down-$o; echo "$host $(date +%s%N)" >> ${events}; exit 0 ;;
  "bash -s") sed "s#/etc/#$root/etc/#g; s#/proc/#$root/proc/#g; s#/var/#$root/var/#g" | exec bash -s ;;
esac
cmd=\${cmd//\\/etc\\//$root/etc/}
cmd=\${cmd//\\/proc\\//$root/proc/}
cmd=\${cmd//\\/var\\//$root/var/}
# what the machine prints names its own paths
set -o pipefail
bash -c "\${cmd//127.0.0.1/127.0.33.\${host##*.}}" | sed "s#$root/etc/#/etc/#g"
`,
  );
  for (const m of members) {
    const o = octet(m.ip);
    const server = createServer((req, res) => {
      const ok = req.url === "/health" && healthy(o);
      res.writeHead(ok ? 200 : 503);
      res.end(JSON.stringify({ health: String(ok) }));
    });
    servers.push(server);
    await new Promise<void>((res, rej) => server.once("error", rej).listen(2381, `127.0.33.${o}`, () => res()));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  work.cleanup();
});

describe("slipway certs renew", () => {
  it("knows every PKI file of each role's config: exactly the files the rendered config holds a PEM of, with their modes", async () => {
    const pems = pemsFromState(join(work.dir, "state-a.json"), cluster);
    const all = new Set([...pems.values()].flatMap((p) => Object.values(p)));
    const targets: [NodeTarget, string][] = [
      [{ role: "etcd", index: 1 }, "demo-etcd-1"],
      [{ role: "master", index: 0 }, "demo-master-0"],
      [{ role: "worker", pool: "general" }, "demo-general-0"],
    ];
    for (const [target, hostname] of targets) {
      const { config } = await renderNode(cluster, { target, pkiDir: pkiA, secrets: {} });
      const rendered = (
        JSON.parse(config) as { storage: { files: { path: string; mode: number; contents: { source: string } }[] } }
      ).storage.files
        .map((f) => ({ path: f.path, mode: f.mode, content: decodeURIComponent(f.contents.source.replace(/^data:[^,]*,/, "")) }))
        .filter((f) => all.has(f.content))
        .sort((a, b) => a.path.localeCompare(b.path));
      expect(rendered.length, hostname).toBeGreaterThan(3);
      expect(pkiFiles(cluster, target, hostname, pems), hostname).toEqual(rendered);
    }
  });

  it("--dry-run says what differs on each member and changes nothing", async () => {
    const before = readFileSync(join(rootOf(members[0]?.ip as string), "etc/ssl/etcd/member.crt"), "utf8");
    const r = await renew(["--role", "etcd", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    for (const m of members)
      expect(r.stdout).toMatch(
        new RegExp(
          `${m.name} \\(${m.ip}\\): 4 of 11 files differ: /etc/ssl/etcd/member.crt, /etc/ssl/etcd/member.key, /etc/ssl/etcd/proxy-client.crt, /etc/ssl/etcd/proxy-client.key$`,
          "m",
        ),
      );
    expect(r.stdout).toContain("dry run: 3 machine(s) would get their files and reboot, one at a time");
    expect(readFileSync(join(rootOf(members[0]?.ip as string), "etc/ssl/etcd/member.crt"), "utf8")).toBe(before);
    expect(rebooted()).toEqual([]);
  }, 120_000);

  it("leaves a machine alone that holds the state's certificates, though it never rebooted since Ignition wrote them", async () => {
    const r = await slipwayAsync(
      ["certs", "renew", "--state", join(work.dir, "state-a.json"), "--role", "etcd", "--ssh", join(work.dir, "ssh"), "--yes"],
      { timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    for (const m of members) expect(r.stdout).toContain(`${m.name} (${m.ip}): all 11 up to date`);
    expect(r.stdout).toContain("nothing to do");
    expect(rebooted()).toEqual([]);
  }, 120_000);

  it("changes nothing on a tier that is not healthy", async () => {
    const ip = members[1]?.ip as string;
    writeFileSync(join(work.dir, `down-${octet(ip)}`), "");
    const r = await renew(["--role", "etcd"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the etcd tier is not healthy, so nothing was changed: demo-etcd-1: etcd health fails/);
    expect(rebooted()).toEqual([]);
    rmSync(join(work.dir, `down-${octet(ip)}`));
  }, 120_000);

  it("stops at a member that does not come back; run again, it reboots the member whose files it wrote and goes on", async () => {
    const [m0, m1, m2] = members.map((m) => m.ip) as [string, string, string];
    writeFileSync(join(work.dir, `dies-${octet(m1)}`), "");
    let r = await renew(["--role", "etcd", "--wait", "6"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /demo-etcd-1 \(2 of 3\): renewed, but not back and healthy after 6 s \(demo-etcd-1: etcd health fails.*run the same command again/,
    );
    expect(rebooted().map((l) => l.split(" ")[0])).toEqual([m0, m1]);
    rmSync(join(work.dir, `dies-${octet(m1)}`));
    rmSync(join(work.dir, `dead-${octet(m1)}`));
    // as if its reboot had never happened: its files were written in the boot it runs now
    writeFileSync(
      join(rootOf(m1), "var/lib/slipway/certs-renewed-in-boot"),
      readFileSync(join(rootOf(m1), "proc/sys/kernel/random/boot_id")),
    );
    r = await renew(["--role", "etcd"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("demo-etcd-0 (10.0.0.16): all 11 up to date");
    expect(r.stdout).toContain("demo-etcd-1 (10.0.0.17): its files were written in this boot, not read yet: it reboots");
    expect(r.stdout).toContain("demo-etcd-2 (10.0.0.18): 4 of 11 files differ");
    expect(rebooted().map((l) => l.split(" ")[0])).toEqual([m0, m1, m1, m2]);
  }, 300_000);

  it("writes each member's new files (modes kept, others untouched) and reboots it, the next only once the tier is healthy again; a second run does nothing", async () => {
    await freshMachines();
    const caBefore = statSync(join(rootOf(members[0]?.ip as string), "etc/ssl/etcd/ca.crt")).mtimeMs;
    const r = await renew(["--role", "etcd"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const order = rebooted();
    expect(order.map((l) => l.split(" ")[0])).toEqual(members.map((m) => m.ip));
    const times = order.map((l) => Number(l.split(" ")[1]) / 1e6);
    // each next reboot only after the previous member was healthy again (3 s of ill health)
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(3000);
    for (const m of members) {
      const root = rootOf(m.ip);
      expect(readFileSync(join(root, "etc/ssl/etcd/member.crt"), "utf8")).toBe(
        readFileSync(join(pkiB, `etcd-member-${m.index}.crt`), "utf8"),
      );
      expect(readFileSync(join(root, "etc/ssl/etcd/member.key"), "utf8")).toBe(
        readFileSync(join(pkiB, `etcd-member-${m.index}.key`), "utf8"),
      );
      expect((statSync(join(root, "etc/ssl/etcd/member.key")).mode & 0o777).toString(8)).toBe("600");
      expect((statSync(join(root, "etc/ssl/etcd/member.crt")).mode & 0o777).toString(8)).toBe("644");
      // the new certificate is one the CA signed (openssl's own check)
      const v = spawnSync("openssl", ["verify", "-CAfile", join(root, "etc/ssl/etcd/ca.crt"), join(root, "etc/ssl/etcd/member.crt")], {
        encoding: "utf8",
      });
      expect(v.status, v.stderr).toBe(0);
    }
    expect(statSync(join(rootOf(members[0]?.ip as string), "etc/ssl/etcd/ca.crt")).mtimeMs).toBe(caBefore);
    // keys went over ssh's standard input only
    expect(readFileSync(sshLog, "utf8")).not.toContain("PRIVATE KEY");
    const again = await renew(["--role", "etcd"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("nothing to do: every machine holds the state's certificates");
    expect(rebooted()).toHaveLength(3);
  }, 300_000);

  it("refuses what it cannot do, in one line", async () => {
    const cases: [string[], number, RegExp][] = [
      [["certs", "renew", "--yes"], 2, /give --state FILE/],
      [["certs", "renew", "--state", join(work.dir, "nothing.json"), "--yes"], 1, /nothing\.json: not a Terraform state/],
      [["certs", "renew", "--state", join(work.dir, "state-b.json"), "--role", "pool", "--yes"], 2, /give --pool NAME/],
      [
        ["certs", "renew", "--state", join(work.dir, "state-b.json"), "--role", "pool", "--pool", "general", "--yes"],
        2,
        /give --kubeconfig FILE/,
      ],
    ];
    await expectOneLineRefusals(cases, { KUBECONFIG: "" });
  }, 120_000);
});
