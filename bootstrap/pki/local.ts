// The cluster PKI issued locally into a directory, for `slipway render` (bare metal, QEMU, tests):
// the same certificates as stacks/pki.ts issues in Terraform, as <name>.crt / <name>.key files.
// An existing directory is reused: a certificate is issued again only when it is missing, no
// longer matches its specification (names changed), expires within the renewal window, or was
// not signed by the current CA.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import type { Cluster } from "../../clusters/model/load";
import { UserError } from "../../clusters/model/errors";
import { claimFolder, RECORD, recordFolder, TRANSIENT, writeFileSafely } from "../../clusters/model/safe-files";
import { type CertSpec, certSpecs, type Usage } from "./spec";

// @peculiar/x509 speaks WebCrypto; Node's implementation is a drop-in (typed as the DOM's Crypto)
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

export interface LocalCert {
  /** absent for a key pair */
  cert?: string;
  key: string;
  publicKey: string;
}

export interface LocalPki {
  certs: Map<string, LocalCert>;
  /** the seed of every pool's join tokens (bootstrap/kube/join.ts) */
  joinSeed: string;
  /** the seed of every node group's etcd password (pki/etcd-users.ts), in <dir>/etcd-seed */
  etcdSeed: string;
  /** the API servers' key for Secrets at rest (32 bytes, base64), in <dir>/encryption-key */
  encryptionKey: string;
  /** what this run issued (the rest was reused) */
  issued: string[];
}

/** The subject, most significant attribute first (O, OU, CN) as Terraform's tls provider writes it. */
function subjectOf(spec: CertSpec): string {
  const esc = (v: string) => v.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
  return [
    spec.organization ? `O=${esc(spec.organization)}` : "",
    spec.organizationalUnit ? `OU=${esc(spec.organizationalUnit)}` : "",
    spec.commonName ? `CN=${esc(spec.commonName)}` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

const sansOf = (c: x509.X509Certificate): string[] => {
  const ext = c.getExtension(x509.SubjectAlternativeNameExtension);
  return (ext?.names.items ?? []).map((n) => `${n.type}:${n.value}`).sort();
};
const wantedSans = (s: CertSpec) => [...s.dnsNames.map((d) => `dns:${d}`), ...s.ipAddresses.map((i) => `ip:${i}`)].sort();

const EKU: Record<Usage, string> = { server_auth: x509.ExtendedKeyUsage.serverAuth, client_auth: x509.ExtendedKeyUsage.clientAuth };

async function importKey(pem: string): Promise<CryptoKeyPair> {
  const der = x509.PemConverter.decodeFirst(pem);
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, ALG, true, ["sign"]);
  const jwk = await webcrypto.subtle.exportKey("jwk", privateKey);
  delete jwk.d;
  jwk.key_ops = ["verify"];
  const publicKey = await webcrypto.subtle.importKey("jwk", jwk, ALG, true, ["verify"]);
  return { privateKey, publicKey } as CryptoKeyPair;
}

async function exportKey(keys: CryptoKeyPair): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
}

/** Write atomically: nothing half-written if interrupted, never through a link. Keys are 0600. */
const writeFile = (path: string, text: string, mode: number) => writeFileSafely(path, text, mode);

/** A PKI folder of an older slipway, which wrote no record: it has the CAs and a join token. */
function olderPki(real: string, entries: string[]): Map<string, string> | undefined {
  return ["etcd-ca.key", "kubernetes-ca.key"].every((f) => entries.includes(f)) &&
    (entries.includes("bootstrap-token") || entries.includes("join-seed")) &&
    existsSync(join(real, "etcd-ca.crt"))
    ? new Map()
    : undefined;
}

/** A PKI folder the operator must look at (locked by another run): one line, exit 1. */
export class PkiError extends UserError {
  override name = "PkiError";
}

/**
 * Hold `<dir>/.slipway-lock` while issuing: renders running at the same time against a fresh directory
 * would otherwise each create their own CA. A lock left by a process that no longer exists is
 * taken over.
 */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, `${TRANSIENT}lock`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let text = "";
      try {
        text = readFileSync(lock, "utf8").trim();
      } catch {
        continue; // released meanwhile: try again
      }
      // an empty lock is one being written right now (create and write are two steps): its
      // holder is alive. Only a lock naming a process that is gone is taken over.
      const holder = /^\d+$/.test(text) ? Number(text) : 0;
      let alive = true;
      if (holder > 0) {
        try {
          process.kill(holder, 0);
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === "EPERM";
        }
      }
      if (!alive) rmSync(lock, { force: true });
      else if (Date.now() > deadline)
        throw new PkiError(
          `the PKI directory ${dir} stays locked ${holder ? `by process ${holder}` : `(${lock} is empty; remove it if no slipway is running)`}`,
        );
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

async function exportPublic(keys: CryptoKeyPair): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey("spki", keys.publicKey), "PUBLIC KEY")}\n`;
}

/** The cluster's CAs and central certificates in `dir`; the join tokens' seed and the Secrets key beside them. */
export async function localPki(cluster: Cluster, dir: string): Promise<LocalPki> {
  // only a new or empty folder, or one slipway's PKI is in: never someone else's keys
  const folder = claimFolder(dir, "pki", olderPki, 0o700);
  if (!existsSync(join(folder.real, RECORD))) recordFolder(folder, "pki"); // creates it (0700) if need be
  return withLock(dir, async () => {
    const r = await issueAll(cluster, dir);
    const seedFile = join(dir, "join-seed");
    if (!existsSync(seedFile)) {
      writeFile(seedFile, `${randomBytes(16).toString("hex")}\n`, 0o600);
      r.issued.push("join-seed");
    }
    const etcdSeedFile = join(dir, "etcd-seed");
    if (!existsSync(etcdSeedFile)) {
      writeFile(etcdSeedFile, `${randomBytes(16).toString("hex")}\n`, 0o600);
      r.issued.push("etcd-seed");
    }
    // never replaced once made: the cluster's Secrets are encrypted with it
    const keyFile = join(dir, "encryption-key");
    if (!existsSync(keyFile)) {
      writeFile(keyFile, `${randomBytes(32).toString("base64")}\n`, 0o600);
      r.issued.push("encryption-key");
    }
    return {
      ...r,
      joinSeed: readFileSync(seedFile, "utf8").trim(),
      etcdSeed: readFileSync(etcdSeedFile, "utf8").trim(),
      encryptionKey: readFileSync(keyFile, "utf8").trim(),
    };
  });
}

type Parsed = { cert: x509.X509Certificate; keys: CryptoKeyPair };

/** The existing certificate of `spec`, if it still fits: same subject and names, not due, signed by its (reused) CA. */
async function reusable(spec: CertSpec, dir: string, ca: Parsed | undefined, caReissued: boolean, renewBefore: number) {
  const certFile = join(dir, `${spec.name}.crt`);
  const keyFile = join(dir, `${spec.name}.key`);
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const cert = new x509.X509Certificate(readFileSync(certFile, "utf8"));
  const keys = await importKey(readFileSync(keyFile, "utf8"));
  const fits =
    cert.subject === new x509.Name(subjectOf(spec)).toString() &&
    JSON.stringify(sansOf(cert)) === JSON.stringify(wantedSans(spec)) &&
    cert.notAfter.getTime() - Date.now() > renewBefore &&
    (await cert.verify(ca ? { publicKey: ca.cert.publicKey, signatureOnly: true } : { signatureOnly: true })) &&
    !caReissued;
  if (!fits) return undefined;
  return {
    parsed: { cert, keys },
    pem: { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), publicKey: await exportPublic(keys) },
  };
}

/** A new key and certificate for `spec`: self-signed for a CA, else signed by `ca`. */
async function issue(spec: CertSpec, ca: Parsed | undefined, pki: Cluster["config"]["pki"]) {
  const now = Date.now();
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const validity = {
    notBefore: new Date(now - 3_600_000),
    serialNumber: randomBytes(16)
      .toString("hex")
      .replace(/^[89a-f]/, "1"),
  };
  let cert: x509.X509Certificate;
  if (spec.kind === "ca" || spec.kind === "recipient" || !ca) {
    // a CA signs; a recipient is a key others encrypt to (ECDH in CMS): no CA, key agreement only
    const recipient = spec.kind === "recipient";
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...validity,
      notAfter: new Date(now + pki.caValidityDays * DAY),
      name: subjectOf(spec),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(!recipient, undefined, true),
        new x509.KeyUsagesExtension(
          recipient
            ? x509.KeyUsageFlags.keyAgreement
            : x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
  } else {
    const ips = spec.ipAddresses;
    const sans = [
      ...spec.dnsNames.map((value) => ({ type: "dns" as const, value })),
      ...ips.map((value) => ({ type: "ip" as const, value })),
    ];
    cert = await x509.X509CertificateGenerator.create({
      ...validity,
      notAfter: new Date(now + (spec.lifetime === "ca" ? pki.caValidityDays : pki.certValidityDays) * DAY),
      subject: subjectOf(spec),
      issuer: ca.cert.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(spec.usages.map((u) => EKU[u])),
        ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
  }
  return {
    parsed: { cert, keys },
    pem: { cert: `${cert.toString("pem")}\n`, key: `${await exportKey(keys)}\n`, publicKey: await exportPublic(keys) },
  };
}

/** Every certificate and key of the cluster: reused where it still fits, issued where not. */
async function issueAll(cluster: Cluster, dir: string): Promise<{ certs: Map<string, LocalCert>; issued: string[] }> {
  const { pki } = cluster.config;
  const certs = new Map<string, LocalCert>();
  const parsed = new Map<string, Parsed>();
  const issued: string[] = [];

  for (const spec of certSpecs(cluster)) {
    const keyFile = join(dir, `${spec.name}.key`);
    const ca = spec.ca ? parsed.get(spec.ca) : undefined;
    if (spec.ca && !ca) throw new Error(`${spec.name}: CA ${spec.ca} must come first`);

    if (spec.kind === "keypair") {
      const pubFile = join(dir, `${spec.name}.pub`);
      if (!existsSync(keyFile) || !existsSync(pubFile)) {
        const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
        writeFile(keyFile, `${await exportKey(keys)}\n`, 0o600);
        writeFile(pubFile, await exportPublic(keys), 0o644);
        issued.push(spec.name);
      }
      certs.set(spec.name, { key: readFileSync(keyFile, "utf8"), publicKey: readFileSync(pubFile, "utf8") });
      continue;
    }

    const kept = await reusable(spec, dir, ca, issued.includes(spec.ca ?? ""), pki.renewBeforeDays * DAY);
    const got = kept ?? (await issue(spec, ca, pki));
    if (!kept) {
      writeFile(keyFile, got.pem.key, 0o600);
      writeFile(join(dir, `${spec.name}.crt`), got.pem.cert, 0o644);
      issued.push(spec.name);
    }
    parsed.set(spec.name, got.parsed);
    certs.set(spec.name, got.pem);
  }
  return { certs, issued };
}
