// `slipway etcd restore [file] --from <backup>`: bring the etcd tier back from a snapshot — a
// backup object (encrypted, bootstrap/scripts/etcd-backup.sh), a .gz of a snapshot or a plain
// one — the way etcd documents it: every member restored from the same snapshot into a new
// cluster, then started. Run from a machine that reaches the members over ssh (as `core`, with
// sudo), for instance a master or a bastion (`--ssh "ssh -J bastion"`).
//
// Order matters and is kept for every member before the next step: the snapshot copied and
// checked on all, all stopped, all restored, all started (bootstrap/scripts/etcd-restore.sh,
// sent over ssh: it is not part of any user_data). A cluster that still has a healthy quorum is
// refused without --force (the restore throws away every write since the snapshot), and nothing
// happens without the cluster's name typed at the prompt or --yes.
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import { ETCD_DATA, ETCD_METRICS } from "../bootstrap/parts/etcd-member";
import { PATHS } from "../bootstrap/parts/files";
import { ETCD_BACKUP } from "../bootstrap/pki/spec";
import { UsageError, UserError } from "./errors";
import { type Remote, seconds, sshRunner } from "./remote";

export interface EtcdRestoreOptions {
  from?: string;
  pki?: string;
  state?: string;
  ssh: string;
  user: string;
  force?: boolean;
  yes?: boolean;
  wait: string;
}

const SCRIPT = join(__dirname, "..", "bootstrap", "scripts", "etcd-restore.sh");
/** where the snapshot waits on a member: its data volume, beside the data it replaces */
export const REMOTE_SNAPSHOT = `${ETCD_DATA}/slipway-restore.db`;
const REMOTE_PATH = `${PATHS.bin}:/usr/sbin:/usr/bin:/sbin:/bin`;
/** bbolt's meta page magic, right after the 16-byte page header: every etcd snapshot begins so */
const BOLT_MAGIC = 0xed0cdaed;

type Kind = "encrypted" | "gzip" | "snapshot";

function kindOf(file: string): Kind {
  const head = Buffer.alloc(20);
  const fd = openSync(file, "r");
  const n = readSync(fd, head, 0, 20, 0);
  closeSync(fd);
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (n >= 20 && head.readUInt32LE(16) === BOLT_MAGIC) return "snapshot";
  // DER: a SEQUENCE (CMS EnvelopedData, as `openssl cms -encrypt -outform DER` writes it)
  if (n >= 2 && head[0] === 0x30) return "encrypted";
  throw new UserError(`${printable(file)}: neither a Slipway backup, a gzip of a snapshot, nor an etcd snapshot`);
}

/** The backup key pair: from the local PKI (<name>.key/.crt) or a Terraform state. */
function backupKey(cluster: Cluster, opts: Pick<EtcdRestoreOptions, "pki" | "state">): { key: string; cert: string; source: string } {
  if (opts.state) {
    let state: { version?: number; resources?: { type: string; name: string; instances?: { attributes?: Record<string, unknown> }[] }[] };
    try {
      state = JSON.parse(readFileSync(opts.state, "utf8"));
    } catch (e) {
      throw new UserError(`${printable(opts.state)}: not a Terraform state (${(e as Error).message.split("\n")[0]})`);
    }
    const attr = (type: string, name: string, field: string) =>
      state.resources?.find((r) => r.type === type && r.name === name)?.instances?.[0]?.attributes?.[field];
    const key = attr("tls_private_key", `key_${ETCD_BACKUP}`, "private_key_pem");
    const cert = attr("tls_self_signed_cert", `cert_${ETCD_BACKUP}`, "cert_pem");
    if (typeof key !== "string" || typeof cert !== "string")
      throw new UserError(`${printable(opts.state)}: no etcd backup key in this state (is etcd.backup on for ${cluster.config.name}?)`);
    return { key, cert, source: printable(opts.state) };
  }
  const dir = opts.pki ?? join("slipway-pki", cluster.config.name);
  const keyFile = join(dir, `${ETCD_BACKUP}.key`);
  const certFile = join(dir, `${ETCD_BACKUP}.crt`);
  if (!existsSync(keyFile) || !existsSync(certFile))
    throw new UserError(
      `${printable(dir)}: no ${ETCD_BACKUP}.key/.crt there; give --state (terraform state pull > state.json) or --pki with the cluster's local PKI`,
    );
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), source: printable(dir) };
}

/** The backup as a plain snapshot file in `work` (a private folder this command made). */
export async function plainSnapshot(
  cluster: Cluster,
  opts: Pick<EtcdRestoreOptions, "pki" | "state">,
  from: string,
  work: string,
): Promise<string> {
  let kind = kindOf(from);
  let file = from;
  if (kind === "encrypted") {
    const { key, cert, source } = backupKey(cluster, opts);
    try {
      new X509Certificate(cert);
    } catch {
      throw new UserError(`${source}: the ${ETCD_BACKUP} certificate there is not a PEM certificate`);
    }
    writeFileSync(join(work, "key.pem"), key, { mode: 0o600 });
    writeFileSync(join(work, "cert.pem"), cert, { mode: 0o600 });
    const out = join(work, "snapshot.db.gz");
    const r = spawnSync(
      "openssl",
      [
        "cms",
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        from,
        "-inkey",
        join(work, "key.pem"),
        "-recip",
        join(work, "cert.pem"),
        "-out",
        out,
      ],
      { encoding: "utf8" },
    );
    rmSync(join(work, "key.pem"), { force: true });
    if (r.error) throw new UserError("openssl is needed to decrypt a backup (Debian: apt install openssl)");
    if (r.status !== 0)
      throw new UserError(
        `${printable(from)}: cannot be decrypted with the ${ETCD_BACKUP} key of ${source} (a backup of another cluster, or damaged)`,
      );
    file = out;
    kind = kindOf(out);
  }
  if (kind === "gzip") {
    const out = join(work, "snapshot.db");
    try {
      await pipeline(createReadStream(file), createGunzip(), createWriteStream(out, { mode: 0o600 }));
    } catch (e) {
      throw new UserError(`${printable(from)}: the compressed snapshot is damaged (${(e as Error).message})`);
    }
    rmSync(join(work, "snapshot.db.gz"), { force: true });
    file = out;
    kind = kindOf(out);
  }
  if (kind !== "snapshot") throw new UserError(`${printable(from)}: what it holds is not an etcd snapshot`);
  return file;
}

export async function etcdRestoreCommand(cluster: Cluster, opts: EtcdRestoreOptions): Promise<void> {
  const { plan, config } = cluster;
  if (!opts.from) throw new UsageError("give --from <backup>: the backup object (or a snapshot) to restore");
  if (opts.pki && opts.state) throw new UsageError("give --state or --pki, not both");
  if (!existsSync(opts.from)) throw new UserError(`${printable(opts.from)}: no such file`);
  const waitSeconds = seconds("--wait", opts.wait, 3600);
  const run = sshRunner(opts.ssh, opts.user);

  if (!opts.yes && !process.stdin.isTTY) throw new UsageError("give --yes to restore without a prompt (standard input is not a terminal)");

  const work = mkdtempSync(join(tmpdir(), "slipway-restore-"));
  try {
    const snapshot = await plainSnapshot(cluster, opts, opts.from, work);
    const script = readFileSync(SCRIPT);
    const step = (ip: string, args: string) => run(ip, `sudo env PATH=${REMOTE_PATH} bash -s -- ${args}`, script);
    const must = (m: { name: string }, what: string, r: Remote) => {
      if (r.code !== 0)
        throw new UserError(`${m.name}: ${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split("\n").pop()}`);
      return r.stdout;
    };

    /**
     * the member's own health endpoint, as its etcd-health check asks it: a leader, no alarm, a
     * read through raft; no certificate or etcd user involved, so authentication cannot make a
     * healthy member look sick (ssh's own failure is 255, curl's never)
     */
    const health = (m: { ip: string }) => run(m.ip, `curl -fsS --max-time 10 ${ETCD_METRICS}/health`);

    // 1. every member reachable; how many answer healthy
    const answers = plan.etcd.map((m) => {
      const r = health(m);
      if (r.code === 255)
        throw new UserError(
          `${m.name} (${m.ip}): ssh does not reach it (${r.stderr.trim().split("\n").pop()}); every member takes part in a restore`,
        );
      return { m, healthy: r.code === 0 };
    });
    const healthy = answers.filter((h) => h.healthy).length;
    const quorum = Math.floor(plan.etcd.length / 2) + 1;
    console.log(`${config.name}: ${healthy} of ${plan.etcd.length} etcd members answer healthy (quorum: ${quorum})`);
    // a tier that still has a quorum is not lost: a restore there throws writes away
    if (healthy >= quorum && !opts.force)
      throw new UserError(
        `${config.name}'s etcd has a healthy quorum: a restore throws away every write since the snapshot. Give --force to restore anyway`,
      );

    if (!opts.yes) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(
        `Every etcd member of ${config.name} will be stopped and restored from ${printable(opts.from)}. Type the cluster's name to go on: `,
      );
      rl.close();
      if (answer.trim() !== config.name) throw new UserError("not confirmed; nothing was changed");
    }

    // 2. the snapshot onto every member, checked there by the image's etcdutl (on a failure here
    // the copies go again and nothing else has changed)
    const copied: typeof plan.etcd = [];
    const uncopy = () => {
      for (const m of copied) run(m.ip, `sudo rm -f ${REMOTE_SNAPSHOT}`);
    };
    const token = `${config.name}-restored-${new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}`;
    type Status = { hash: number; revision: number; totalKey: number };
    let statuses: Status[];
    try {
      statuses = plan.etcd.map((m) => {
        const fd = openSync(snapshot, "r");
        copied.push(m);
        try {
          must(m, "copying the snapshot", run(m.ip, `sudo sh -c 'umask 077 && cat > ${REMOTE_SNAPSHOT}'`, fd));
        } finally {
          closeSync(fd);
        }
        const out = must(m, "checking the snapshot", step(m.ip, `check ${REMOTE_SNAPSHOT}`));
        try {
          return JSON.parse(out.trim().split("\n").pop() as string) as Status;
        } catch {
          throw new UserError(`${m.name}: etcdutl did not read the snapshot: ${out.trim().slice(0, 200)}`);
        }
      });
      if (statuses.some((x) => x.hash !== statuses[0]?.hash))
        throw new UserError("the members read different snapshots (a copy went wrong); nothing was stopped");
    } catch (e) {
      uncopy();
      throw e;
    }
    const first = statuses[0] as Status;
    console.log(`snapshot: revision ${first.revision}, ${first.totalKey} keys; new cluster token ${token}`);

    // 3. all stopped, all restored, all started — each step on every member before the next
    // a failure midway says where the tier stands: run the restore again (it starts over from
    // whatever each member has), or start what was stopped
    const phase = (what: string, each: (m: (typeof plan.etcd)[number]) => void) => {
      const done: string[] = [];
      try {
        for (const m of plan.etcd) {
          each(m);
          done.push(m.name);
        }
      } catch (e) {
        if (e instanceof UserError)
          throw new UserError(
            `${e.message} (${what} so far: ${done.join(", ") || "none"}; the others are as they were — run the restore again)`,
          );
        throw e;
      }
    };
    phase("stopped", (m) => console.log(must(m, "stopping etcd", step(m.ip, "stop")).trim()));
    phase("restored", (m) => {
      console.log(must(m, "restoring", step(m.ip, `restore ${REMOTE_SNAPSHOT} ${token}`)).trim());
      must(m, "removing the copied snapshot", run(m.ip, `sudo rm -f ${REMOTE_SNAPSHOT}`));
    });
    phase("started", (m) => console.log(must(m, "starting etcd", step(m.ip, "start")).trim()));

    // 4. healthy again?
    const deadline = Date.now() + waitSeconds * 1000;
    let up = 0;
    for (;;) {
      up = plan.etcd.filter((m) => health(m).code === 0).length;
      if (up === plan.etcd.length || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5000));
    }
    console.log(
      [
        `${up} of ${plan.etcd.length} members healthy after the restore (revision ${first.revision}).`,
        "The API servers still cache the old state: reboot the masters one at a time (each waits for the reboot lock), so every controller and kubelet lists again.",
        "Each member kept its previous data beside the new (/var/lib/etcd/data.before-restore-*): delete it once the cluster is good.",
      ].join("\n"),
    );
    if (up < quorum)
      throw new UserError(
        `only ${up} of ${plan.etcd.length} members are healthy after ${waitSeconds} s; look at journalctl -u etcd-member on the others`,
      );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
