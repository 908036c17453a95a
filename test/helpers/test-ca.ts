// A certificate authority made for one test run, and a server certificate for 127.0.0.1 signed
// by it (ECDSA P-256, valid two days), with the real openssl: for TLS servers on loopback that
// a client trusts only when told to (SSL_CERT_FILE, OS_CACERT, --cacert).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCa {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
}

export function testCa(dir: string, name = "slipway test CA"): TestCa {
  mkdirSync(dir, { recursive: true });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"];
  openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${name}`, ...ca], dir);
  openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], dir);
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  const sign = ["-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2"];
  openssl(["x509", ...sign, "-out", "server.crt", "-extfile", "server.ext"], dir);
  return { caFile: join(dir, "ca.crt"), certFile: join(dir, "server.crt"), keyFile: join(dir, "server.key") };
}

/** openssl with an ECDSA P-256 key made on the spot (`-newkey`), in `cwd`; returns stdout. */
export function opensslNewKey(args: string[], cwd?: string): string {
  const r = spawnSync("openssl", [...args, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"], {
    cwd,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

/** A self-signed certificate (PEM) for `subject`, valid `days`; its key is thrown away. */
export function selfSignedPem(subject: string, days: number): string {
  return opensslNewKey(["req", "-x509", "-keyout", "/dev/null", "-subj", subject, "-days", String(days)]);
}

/** A key (k.pem) and a signing request (r.pem) in `dir` for `subject`, with alternative names if given. */
export function keyAndRequest(dir: string, subject: string, sans?: string): { key: string; request: string } {
  opensslNewKey(
    ["req", "-new", "-keyout", "k.pem", "-out", "r.pem", "-subj", subject, ...(sans ? ["-addext", `subjectAltName=${sans}`] : [])],
    dir,
  );
  return { key: join(dir, "k.pem"), request: join(dir, "r.pem") };
}

/**
 * A key and certificate for `subject` signed by the CA testCa made in `dir` (ca.crt, ca.key),
 * with `extensions` (openssl's extension lines, e.g. subjectAltName=DNS:x and extendedKeyUsage);
 * written as <name>.key and <name>.crt in `dir`.
 */
export function caSigned(dir: string, name: string, subject: string, extensions: string): { keyFile: string; certFile: string } {
  opensslNewKey(["req", "-new", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  const sign = ["-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2"];
  openssl(["x509", ...sign, "-out", `${name}.crt`, "-extfile", `${name}.ext`], dir);
  return { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.crt`) };
}
