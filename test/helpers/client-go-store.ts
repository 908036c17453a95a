// The rules of client-go's certificate file store (k8s.io/client-go/util/certificate,
// certificate_store.go), which the kubelet uses for its rotating client and serving certificates,
// re-stated for tests (no Go toolchain or client-go runs here):
//
// - current(): the pair is `<dir>/<prefix>-current.pem`, certificate and key in one PEM file;
//   it must load as a matching pair.
// - update(): the new pair is written to `<dir>/<prefix>-<2006-01-02-15-04-05>.pem`; then
//   `-current.pem` must be absent or a symbolic link (a regular file is an unrecoverable error:
//   "expected … to be a symlink but it is a file"); an `-updated.pem` link is removed, a new one
//   made to the new file and renamed over `-current.pem` (an atomic switch).
import { spawnSync } from "node:child_process";
import { lstatSync, readFileSync, readlinkSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace("T", "-").replace(/:/g, "-");

export class ClientGoStore {
  /** `at` maps a machine path into the test's root (client-go's links hold machine paths). */
  constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly at: (machinePath: string) => string = (p) => p,
  ) {}

  private file(kind: string): string {
    return join(this.dir, `${this.prefix}-${kind}.pem`);
  }

  /** The current pair's certificate subject; throws as the kubelet would fail to load it. */
  current(): { subject: string; pem: string } {
    const path = this.resolve(this.file("current"));
    const pem = readFileSync(path, "utf8");
    if (!/-----BEGIN CERTIFICATE-----/.test(pem) || !/-----BEGIN (EC |)PRIVATE KEY-----/.test(pem))
      throw new Error(`${path}: not a certificate and key in one file`);
    const openssl = (args: string[]) => spawnSync("openssl", args, { input: pem, encoding: "utf8" }).stdout;
    const fromCert = openssl(["x509", "-noout", "-pubkey"]);
    const fromKey = openssl(["pkey", "-pubout"]);
    if (!fromCert || fromCert !== fromKey) throw new Error(`${path}: the key does not match the certificate`);
    return {
      subject: openssl(["x509", "-noout", "-subject", "-nameopt", "RFC2253"])
        .trim()
        .replace(/^subject=/, ""),
      pem,
    };
  }

  /** Store a new pair as client-go does; returns the new file's (machine) path. */
  update(certPem: string, keyPem: string, now = new Date()): string {
    const filename = this.file(stamp(now));
    writeFileSync(this.at(filename), certPem + keyPem, { mode: 0o600 });
    const current = this.at(this.file("current"));
    const cur = lstatSync(current, { throwIfNoEntry: false });
    if (cur && !cur.isSymbolicLink()) throw new Error(`expected "${this.file("current")}" to be a symlink but it is a file`);
    const updated = this.at(this.file("updated"));
    const upd = lstatSync(updated, { throwIfNoEntry: false });
    if (upd && !upd.isSymbolicLink()) throw new Error(`expected "${this.file("updated")}" to be a symlink but it is a file`);
    if (upd) unlinkSync(updated);
    symlinkSync(filename, updated);
    renameSync(updated, current);
    return filename;
  }

  private resolve(machinePath: string): string {
    let p = machinePath;
    for (let i = 0; i < 40; i++) {
      const host = this.at(p);
      const st = lstatSync(host, { throwIfNoEntry: false });
      if (!st?.isSymbolicLink()) return host;
      const target = readlinkSync(host);
      p = target.startsWith("/") ? target : posix.join(posix.dirname(p), target);
    }
    throw new Error(`${machinePath}: link loop`);
  }
}
