// `slipway certs renew [file] --state FILE`: bring the certificates Terraform issued (and
// re-issued: a `terraform apply` re-issues every one within pki.renewBeforeDays of its end) onto
// the running machines, without replacing them. Machines boot with their certificates in
// user_data, and Terraform ignores user_data changes of a machine that exists — so a re-issued
// certificate reaches a machine only when it is replaced, or by this command.
//
// Per machine, one at a time, tier by tier (etcd members, masters, the pools' nodes): the files
// its config holds of the cluster PKI (worked out from the same parts that build the config, with
// the PEMs from the state) are compared with the machine's by SHA-256; a machine whose files all
// match is left alone. Otherwise the new files are written (each to a temporary name, then moved,
// with the config's mode) and the machine is rebooted, so that every service reads them; the
// next machine goes only once this one is back (a new boot id) and its whole tier is healthy, as
// `slipway roll` gates its steps — a pool's node drained first and uncordoned after. A run that
// stops is simply run again: machines already renewed match and are skipped, and one whose files
// were written in its current boot (recorded on the machine; not rebooted yet) is rebooted.
//
// Keys travel only on ssh's standard input, never on a command line. Certificates the masters
// issue themselves are renewed there (kube-certs.timer); kubelets renew their own.
import { createHash } from "node:crypto";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import type { NodePlan } from "../clusters/model/placement";
import type { NodeTarget } from "../bootstrap/node";
import { certSpecs, type PemKind } from "../bootstrap/pki/spec";
import { buildNode, placeholderValues } from "../bootstrap/roles";
import { stateResources } from "./certs";
import { UsageError, UserError } from "./errors";
import { type RunRemote, seconds, sshRunner } from "./remote";
import { confirmByName, lastLine } from "./stack-run";
import { type RollOptions, tierOf } from "./roll";

export interface CertsRenewOptions {
  state?: string;
  role?: string;
  pool?: string;
  kubeconfig?: string;
  drainTimeout: string;
  ssh: string;
  user: string;
  wait: string;
  dryRun?: boolean;
  yes?: boolean;
}

type Pems = Map<string, Partial<Record<PemKind, string>>>;

interface StateResource {
  type: string;
  name: string;
  instances?: { attributes?: { cert_pem?: string; private_key_pem?: string; public_key_pem?: string } }[];
}

/** Every certificate and key of the cluster PKI in a Terraform state (format 4), by spec name. */
export function pemsFromState(file: string, cluster: Cluster): Pems {
  const resources = stateResources<StateResource>(file);
  const byId = new Map(certSpecs(cluster).map((s) => [s.name.replace(/[^A-Za-z0-9_-]/g, "_"), s.name]));
  const pems: Pems = new Map();
  for (const r of resources) {
    const a = r.instances?.[0]?.attributes;
    const name = byId.get(r.name.replace(/^(key|cert)_/, ""));
    if (!a || !name) continue;
    const entry = pems.get(name) ?? {};
    if (r.type === "tls_private_key") Object.assign(entry, { key: a.private_key_pem, public: a.public_key_pem });
    else if (r.type === "tls_locally_signed_cert" || r.type === "tls_self_signed_cert") entry.cert = a.cert_pem;
    else continue;
    pems.set(name, entry);
  }
  if (pems.size === 0) throw new UserError(`${printable(file)}: no certificate of ${cluster.config.name}'s PKI in it`);
  return pems;
}

export interface PkiFile {
  path: string;
  mode: number;
  content: string;
}

/**
 * The files of the cluster PKI a machine's config holds, with their content from `pems`: the
 * machine's config built by the same parts as for Terraform, every PEM a marker, the files that
 * are exactly one marker kept.
 */
export function pkiFiles(cluster: Cluster, target: NodeTarget, hostname: string | undefined, pems: Pems): PkiFile[] {
  const mark = (name: string, kind: PemKind) => `@@slipway-pem ${name} ${kind}@@`;
  const b = buildNode(cluster, target, placeholderValues({ ...(hostname ? { hostname } : {}), pem: mark }));
  const out: PkiFile[] = [];
  for (const f of b.files.values()) {
    const m = typeof f.contents === "string" ? /^@@slipway-pem (\S+) (cert|key|public)@@$/.exec(f.contents) : null;
    if (!m) continue;
    const pem = pems.get(m[1] as string)?.[m[2] as PemKind];
    if (!pem) throw new UserError(`the state holds no ${m[2]} of ${m[1]} (${f.path}): is it this cluster's state?`);
    out.push({ path: f.path, mode: f.mode, content: pem });
  }
  return out.sort((a, c) => a.path.localeCompare(c.path));
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
/** a file name as the remote shell reads it: only the paths the parts write (no quoting needed, checked) */
const SAFE_PATH = /^\/[A-Za-z0-9_./-]+$/;

/** Where a machine records the boot its renewed files were written in (until it reboots they are not read). */
const PENDING = "/var/lib/slipway/certs-renewed-in-boot";

/** The script that writes `files` on the machine, read by `sudo bash -s` from standard input. */
export function installScript(files: PkiFile[]): string {
  const lines = [
    "set -euo pipefail",
    "umask 077",
    `mkdir -p ${PENDING.replace(/\/[^/]+$/, "")}`,
    `cat /proc/sys/kernel/random/boot_id >${PENDING}`,
  ];
  for (const f of files) {
    if (!SAFE_PATH.test(f.path)) throw new Error(`unexpected path ${f.path}`);
    const b64 = Buffer.from(f.content).toString("base64");
    lines.push(
      `tmp=$(mktemp ${f.path}.slipway-XXXXXX)`,
      `base64 -d >"$tmp" <<'SLIPWAY_B64'`,
      ...(b64.match(/.{1,76}/g) ?? []),
      "SLIPWAY_B64",
      `chmod ${f.mode.toString(8)} "$tmp"`,
      `mv -f "$tmp" ${f.path}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

interface Machine {
  plan: NodePlan;
  target: NodeTarget;
  hostname?: string;
}

function machinesOf(cluster: Cluster, role: string, pool?: string): Machine[] {
  const { plan } = cluster;
  if (role === "etcd") return plan.etcd.map((m) => ({ plan: m, target: { role: "etcd", index: m.index }, hostname: m.name }));
  if (role === "master") return plan.masters.map((m) => ({ plan: m, target: { role: "master", index: m.index }, hostname: m.name }));
  const p = plan.pools.find((x) => x.name === pool) as (typeof plan.pools)[number];
  return p.nodes.map((m) => ({ plan: m, target: { role: "worker", pool: p.name }, hostname: m.name }));
}

export async function certsRenewCommand(cluster: Cluster, opts: CertsRenewOptions): Promise<void> {
  if (!opts.state)
    throw new UsageError("give --state FILE: the Terraform state holding the certificates (terraform state pull > state.json)");
  const wait = seconds("--wait", opts.wait, 7200);
  if (!opts.yes && !opts.dryRun && !process.stdin.isTTY)
    throw new UsageError("give --yes to renew without a prompt (standard input is not a terminal)");
  const pems = pemsFromState(opts.state, cluster);
  // the tiers in order, each as roll would gate it; pools the cloud scales as a group are refreshed by it
  const tiers: { role: string; pool?: string }[] = opts.role
    ? [{ role: opts.role, ...(opts.pool ? { pool: opts.pool } : {}) }]
    : [
        { role: "etcd" },
        { role: "master" },
        ...cluster.plan.pools.filter((p) => p.nodes.length > 0).map((p) => ({ role: "pool", pool: p.name })),
      ];
  const run: RunRemote = sshRunner(opts.ssh, opts.user, 120_000);
  const grouped = cluster.plan.pools.filter((p) => p.nodes.length === 0).map((p) => p.name);
  const rollOpts = (t: { role: string; pool?: string }): RollOptions => ({
    ...opts,
    role: t.role,
    ...(t.pool ? { pool: t.pool } : {}),
    maxUnavailable: "1",
    out: "",
    terraform: "terraform",
  });
  let kube: import("./kube-client").KubeClient | undefined;
  const kubeClient = () => {
    if (kube) return kube;
    const kubeconfig = opts.kubeconfig ?? process.env.KUBECONFIG;
    if (!kubeconfig)
      throw new UsageError("give --kubeconfig FILE (or KUBECONFIG): a pool's nodes are drained through the API before they reboot");
    const { KubeClient } = require("./kube-client") as typeof import("./kube-client");
    kube = KubeClient.fromFile(kubeconfig);
    return kube;
  };
  // every tier checked (arguments, kubeconfig) before anything is touched
  const plans = tiers.map((t) => ({
    t,
    tier: tierOf(cluster, rollOpts(t), () => run, kubeClient),
    machines: machinesOf(cluster, t.role, t.pool),
  }));

  // what differs on each machine
  console.log(`renewing the certificates of ${cluster.config.name} from ${printable(opts.state)}:`);
  const work: { t: (typeof plans)[number]; m: Machine; files: PkiFile[] }[] = [];
  for (const p of plans)
    for (const m of p.machines) {
      const files = pkiFiles(cluster, m.target, m.hostname, pems);
      const paths = files.map((f) => f.path).join(" ");
      // each file's hash, the boot the last renewal wrote files in (if any) and this boot: files
      // written in this very boot (a run that stopped before the reboot) are not read yet
      const r = run(
        m.plan.ip,
        `sudo sha256sum -- ${paths}; echo "written $(cat ${PENDING} 2>/dev/null)"; echo "boot $(cat /proc/sys/kernel/random/boot_id)"`,
      );
      if (r.code === 255) throw new UserError(`${m.plan.name}: unreachable over ssh (${lastLine(r.stderr)}); nothing was changed`);
      const lines = r.stdout.split("\n").map((l) => l.trim());
      const hashes = new Map(
        lines
          .map((l) => /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(l))
          .filter((x): x is RegExpExecArray => x !== null)
          .map((x) => [x[2] as string, x[1] as string]),
      );
      const written = /^written (\S+)$/m.exec(r.stdout)?.[1];
      const boot = /^boot (\S+)$/m.exec(r.stdout)?.[1];
      const unread = written !== undefined && written === boot;
      const changed = files.filter((f) => hashes.get(f.path) !== sha256(f.content));
      const say = changed.length
        ? `${changed.length} of ${files.length} files differ: ${changed.map((f) => f.path).join(", ")}`
        : unread
          ? "its files were written in this boot, not read yet: it reboots"
          : `all ${files.length} up to date`;
      console.log(`  ${m.plan.name} (${m.plan.ip}): ${say}`);
      if (changed.length || unread) work.push({ t: p, m, files: changed });
    }
  if (grouped.length)
    console.log(
      `  pools ${grouped.join(", ")} are Auto Scaling groups: their new machines get the new certificates (an instance refresh renews them)`,
    );
  if (work.length === 0) {
    console.log("nothing to do: every machine holds the state's certificates");
    return;
  }
  for (const p of new Set(work.map((w) => w.t))) {
    const bad = await p.tier.unwell();
    if (bad.length)
      throw new UserError(`the ${p.t.pool ? `pool ${p.t.pool}` : p.t.role} tier is not healthy, so nothing was changed: ${bad.join("; ")}`);
  }
  if (opts.dryRun) {
    console.log(`\ndry run: ${work.length} machine(s) would get their files and reboot, one at a time`);
    return;
  }
  if (!opts.yes) await confirmByName(cluster, "Each machine above gets its new files and reboots.");

  for (const [i, { t, m, files }] of work.entries()) {
    const where = `${m.plan.name} (${i + 1} of ${work.length})`;
    const again = "Machines before it are done; run the same command again to go on";
    const boot = run(m.plan.ip, "cat /proc/sys/kernel/random/boot_id");
    if (boot.code !== 0) throw new UserError(`${where}: cannot read its boot id (${lastLine(boot.stderr)}). ${again}`);
    await t.tier.before?.([m.plan]);
    if (files.length) {
      const w = run(m.plan.ip, "sudo bash -s", Buffer.from(installScript(files)));
      if (w.code !== 0) throw new UserError(`${where}: writing its files failed (${lastLine(w.stderr) || `exit ${w.code}`}). ${again}`);
    }
    console.log(`\n${where}: ${files.length ? `${files.length} file(s) written` : "its files are written already"}; rebooting`);
    // ssh may lose the connection as the machine goes down (255): the boot id says whether it rebooted
    run(m.plan.ip, "sudo systemctl reboot");
    const t0 = Date.now();
    const pending = async (): Promise<string[]> => {
      const now = run(m.plan.ip, "cat /proc/sys/kernel/random/boot_id");
      if (now.code !== 0 || now.stdout.trim() === boot.stdout.trim()) return [`${m.plan.name}: not rebooted yet`];
      const notBack = (await t.tier.back?.([m.plan])) ?? [];
      return notBack.length ? notBack : t.tier.unwell();
    };
    let uncordoned = !t.tier.after;
    for (;;) {
      const bad = await pending();
      if (bad.length === 0 && !uncordoned) {
        await t.tier.after?.([m.plan]);
        uncordoned = true;
        continue;
      }
      if (bad.length === 0) break;
      if (Date.now() - t0 > wait * 1000)
        throw new UserError(`${where}: renewed, but not back and healthy after ${wait} s (${bad.join("; ")}); stopped. ${again}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    console.log(`  ${m.plan.name} back with its new certificates; its tier healthy after ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  console.log(`\ncertificates of ${cluster.config.name} renewed on ${work.length} machine(s)`);
}
