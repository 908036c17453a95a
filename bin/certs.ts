// `slipway certs`: when does each of the cluster's certificates expire? Read from Terraform's state
// (`terraform state pull > state.json`, or the local backend's file) or from a local PKI folder
// (`slipway render --pki`). Only certificates are read — never a key — and only their validity is
// printed. With --check the exit code says whether any is due, for a CI job that should fail.
import { X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../clusters/model/load";
import { printable, UsageError, UserError } from "./errors";

export interface CertExpiry {
  name: string;
  notAfter: Date;
  /** whole days left from `now` (negative once expired) */
  days: number;
}

export interface CertsOptions {
  state?: string;
  pki?: string;
  within: string;
  json?: boolean;
  check?: boolean;
}

const DAY = 86_400_000;

function readCert(pem: string, where: string): Date {
  try {
    return new Date(new X509Certificate(pem).validTo);
  } catch {
    throw new UserError(`${where}: not a PEM certificate`);
  }
}

/** The resources of a Terraform state (format version 4, as `terraform state pull` writes it). */
export function stateResources<R>(file: string): R[] {
  let state: { version?: number; resources?: R[] };
  try {
    state = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${printable(file)}: not a Terraform state (${(e as Error).message.split("\n")[0]})`);
  }
  if (state.version !== 4 || !Array.isArray(state.resources))
    throw new UserError(`${printable(file)}: not a Terraform state of format 4 (terraform state pull writes one)`);
  return state.resources;
}

/** Certificates of a Terraform state: tls_self_signed_cert and tls_locally_signed_cert. */
export function certsFromState(file: string): { name: string; notAfter: Date }[] {
  const resources = stateResources<{ type: string; name: string; instances?: { attributes?: { cert_pem?: string } }[] }>(file);
  const out: { name: string; notAfter: Date }[] = [];
  for (const r of resources) {
    if (r.type !== "tls_self_signed_cert" && r.type !== "tls_locally_signed_cert") continue;
    for (const i of r.instances ?? []) {
      const pem = i.attributes?.cert_pem;
      if (pem) out.push({ name: r.name.replace(/^cert_/, ""), notAfter: readCert(pem, `${printable(file)}: ${r.type}.${r.name}`) });
    }
  }
  return out;
}

/** Certificates of a local PKI folder (<name>.crt). */
export function certsFromPki(dir: string): { name: string; notAfter: Date }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${printable(dir)}: no such PKI folder`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".crt"))
    .sort()
    .map((f) => ({ name: f.replace(/\.crt$/, ""), notAfter: readCert(readFileSync(join(dir, f), "utf8"), `${printable(join(dir, f))}`) }));
}

export function expiries(certs: { name: string; notAfter: Date }[], now = new Date()): CertExpiry[] {
  return certs
    .map((c) => ({ ...c, days: Math.floor((c.notAfter.getTime() - now.getTime()) / DAY) }))
    .sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime() || a.name.localeCompare(b.name));
}

export function certsCommand(cluster: Cluster, opts: CertsOptions): number {
  const within = Number(opts.within);
  if (!/^\d+$/.test(opts.within) || within > 36500)
    throw new UsageError(`--within must be a number of days, not ${printable(opts.within)}`);
  if (opts.state && opts.pki) throw new UsageError("give --state or --pki, not both");
  const defaultPki = join("slipway-pki", cluster.config.name);
  const source = opts.state
    ? { state: opts.state }
    : opts.pki
      ? { pki: opts.pki }
      : existsSync(defaultPki)
        ? { pki: defaultPki }
        : undefined;
  if (!source)
    throw new UsageError(
      "say where the certificates are: --state FILE (terraform state pull > state.json) or --pki DIR (a slipway render PKI)",
    );
  const list = expiries("state" in source ? certsFromState(source.state as string) : certsFromPki(source.pki as string));
  if (list.length === 0) throw new UserError(`${printable(source.state ?? source.pki ?? "")}: no certificates in it`);
  const due = list.filter((c) => c.days < within);
  if (opts.json)
    console.log(
      JSON.stringify({ within, due: due.length, certificates: list.map((c) => ({ ...c, notAfter: c.notAfter.toISOString() })) }, null, 2),
    );
  else {
    const width = Math.max(...list.map((c) => c.name.length));
    for (const c of list)
      console.log(
        `${c.name.padEnd(width)}  ${c.notAfter.toISOString().slice(0, 10)}  ${c.days < 0 ? "EXPIRED" : `${c.days} days`}${c.days >= 0 && c.days < within ? "  DUE" : ""}`,
      );
    const first = list[0] as CertExpiry;
    console.log(
      `${list.length} certificates of ${cluster.config.name}; the first to end: ${first.name} on ${first.notAfter.toISOString().slice(0, 10)}; ` +
        `${due.length} within ${within} days. Kubelets renew their own (not listed).`,
    );
  }
  return opts.check && due.length > 0 ? 1 : 0;
}
