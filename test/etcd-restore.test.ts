// `slipway etcd restore`, before it touches any member: what it refuses, and that it leaves
// nothing behind (its decrypted copy holds every Secret). The restore itself — real ssh, real
// systemd, real etcd on three machines — is a step of the VM tier (test/vm.test.ts).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bakedDemoFile, tmp } from "./helpers/clusters";
import { slipway } from "./helpers/run";

const work = tmp("slipway-etcd-restore-");
const { file } = bakedDemoFile(work.dir);
const pki = join(work.dir, "pki");
const otherPki = join(work.dir, "other-pki");
const temp = join(work.dir, "tmp");
const sh = (script: string) => {
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
};
/** a "snapshot": bbolt's meta page magic where etcdutl and the CLI look for it */
const snapshot = join(work.dir, "snapshot.db");
// ssh that fails as an unreachable host does (exit 255) without a packet leaving the machine
const NO_NETWORK_SSH = "ssh -o ProxyCommand=false -o ConnectTimeout=1";

const restore = (args: string[]) => slipway(["etcd", "restore", file, ...args], { env: { TMPDIR: temp } });

beforeAll(() => {
  mkdirSync(temp, { recursive: true });
  // the cluster's PKI (render makes it), and another cluster's
  for (const [dir, out] of [
    [pki, "a.ign"],
    [otherPki, "b.ign"],
  ] as const) {
    const r = slipway(["render", file, "--role", "etcd", "--index", "0", "--pki", dir, "--out", join(work.dir, out)]);
    expect(r.code, r.stderr).toBe(0);
  }
  const page = Buffer.alloc(4096);
  page.writeUInt32LE(0xed0cdaed, 16);
  writeFileSync(snapshot, page);
  sh(`gzip -c '${snapshot}' > '${snapshot}.gz'`);
  for (const [dir, name] of [
    [pki, "ours"],
    [otherPki, "theirs"],
  ] as const)
    sh(
      `gzip -c '${snapshot}' | openssl cms -encrypt -binary -aes-256-gcm -recip '${join(dir, "etcd-backup.crt")}' -outform DER -out '${work.dir}/${name}.cms'`,
    );
});
afterAll(() => work.cleanup());

describe("slipway etcd restore refuses, in one line, before it changes anything", () => {
  const cases: [string, string[], RegExp, number][] = [
    ["no backup named", ["--yes"], /give --from <backup>/, 2],
    ["a backup that is not there", ["--from", join(work.dir, "nope.cms"), "--yes"], /nope\.cms: no such file/, 1],
    ["a file that is no backup", ["--from", file, "--yes"], /neither a Slipway backup, a gzip of a snapshot, nor an etcd snapshot/, 1],
    [
      "another cluster's backup",
      ["--from", join(work.dir, "theirs.cms"), "--pki", pki, "--yes"],
      /theirs\.cms: cannot be decrypted with the etcd-backup key of .*pki \(a backup of another cluster, or damaged\)/,
      1,
    ],
    [
      "a PKI without the backup key",
      ["--from", join(work.dir, "ours.cms"), "--pki", work.dir, "--yes"],
      /no etcd-backup\.key\/\.crt there; give --state/,
      1,
    ],
    ["a state that is no state", ["--from", join(work.dir, "ours.cms"), "--state", file, "--yes"], /not a Terraform state/, 1],
    [
      "both key sources",
      ["--from", join(work.dir, "ours.cms"), "--state", file, "--pki", pki, "--yes"],
      /give --state or --pki, not both/,
      2,
    ],
    ["no prompt possible and no --yes", ["--from", join(work.dir, "ours.cms"), "--pki", pki], /give --yes to restore without a prompt/, 2],
    ["a bad --wait", ["--from", snapshot, "--wait", "soon", "--yes"], /--wait must be seconds/, 2],
    ["a bad --user", ["--from", snapshot, "--user", "core;reboot", "--yes"], /--user must be a user name/, 2],
    [
      "members ssh does not reach (every member takes part)",
      ["--from", join(work.dir, "ours.cms"), "--pki", pki, "--ssh", NO_NETWORK_SSH, "--yes"],
      /demo-etcd-0 \(10\.0\.0\.16\): ssh does not reach it .*every member takes part in a restore/,
      1,
    ],
    [
      "a damaged compressed snapshot",
      ["--from", join(work.dir, "damaged.gz"), "--ssh", NO_NETWORK_SSH, "--yes"],
      /damaged\.gz: the compressed snapshot is damaged/,
      1,
    ],
  ];
  beforeAll(() => sh(`head -c 30 '${snapshot}.gz' > '${work.dir}/damaged.gz'`));
  for (const [what, args, message, code] of cases)
    it(what, () => {
      const r = restore(args);
      expect(r.code, r.stdout + r.stderr).toBe(code);
      expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      // its private copy (decrypted: every Secret of the cluster) is gone, whatever happened
      expect(readdirSync(temp).filter((f) => f.startsWith("slipway-"))).toEqual([]);
    });

  it("takes the key from a Terraform state (format 4, as terraform state pull writes it) as well", () => {
    const state = join(work.dir, "state.json");
    const attrs = (type: string, name: string, attributes: Record<string, string>) => ({
      mode: "managed",
      type,
      name,
      provider: 'provider["registry.terraform.io/hashicorp/tls"]',
      instances: [{ schema_version: 0, attributes }],
    });
    writeFileSync(
      state,
      JSON.stringify({
        version: 4,
        terraform_version: "1.9.0",
        serial: 1,
        lineage: "x",
        outputs: {},
        resources: [
          attrs("tls_private_key", "key_etcd-backup", { private_key_pem: readFileSync(join(pki, "etcd-backup.key"), "utf8") }),
          attrs("tls_self_signed_cert", "cert_etcd-backup", { cert_pem: readFileSync(join(pki, "etcd-backup.crt"), "utf8") }),
        ],
      }),
    );
    const r = restore(["--from", join(work.dir, "ours.cms"), "--state", state, "--ssh", NO_NETWORK_SSH, "--yes"]);
    expect(r.stderr).toMatch(/demo-etcd-0 \(10\.0\.0\.16\): ssh does not reach it/);
    // another cluster's state holds another key
    const theirs = restore(["--from", join(work.dir, "theirs.cms"), "--state", state, "--ssh", NO_NETWORK_SSH, "--yes"]);
    expect(theirs.stderr).toMatch(/cannot be decrypted with the etcd-backup key of .*state\.json/);
    expect(readdirSync(temp).filter((f) => f.startsWith("slipway-"))).toEqual([]);
  });

  it("decrypts our own backup (the key from the local PKI) and a plain or gzipped snapshot alike, up to the members", () => {
    for (const from of [join(work.dir, "ours.cms"), `${snapshot}.gz`, snapshot]) {
      const r = restore(["--from", from, "--pki", pki, "--ssh", NO_NETWORK_SSH, "--yes"]);
      // it got as far as asking the first member
      expect(r.stderr, from).toMatch(/demo-etcd-0 \(10\.0\.0\.16\): ssh does not reach it/);
      expect(readdirSync(temp).filter((f) => f.startsWith("slipway-"))).toEqual([]);
    }
  });
});
