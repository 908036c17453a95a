// Every machine reports its certificates' expiry: the rendered cert-expiry step, run by bash as
// its unit runs it over the Ignition-applied tree, with one certificate about to expire and one
// expired beside the real ones — journal lines at the right priority (systemd reads the <N>
// prefix) and a metric per certificate in Prometheus' text format.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { runKubeCerts } from "./helpers/kube-certs";
import { NodeRoot } from "./helpers/node-root";
import { selfSignedPem } from "./helpers/test-ca";

const work = tmp("slipway-expiry-");
afterAll(() => work.cleanup());
const cluster = bakedDemoCluster();
let master: NodeRoot;

beforeAll(async () => {
  master = new NodeRoot(join(work.dir, "master"));
  ignitionApply((await renderNode(cluster, { target: { role: "master", index: 0 }, pkiDir: join(work.dir, "pki") })).config, master.root);
  // the master issues its control-plane certificates (and the kubelet's first) before its kubelet starts
  runKubeCerts(master);
  writeFileSync(master.at("/etc/kubernetes/pki/soon.crt"), selfSignedPem("/CN=soon", 10));
  // openssl cannot issue one that has already ended: @peculiar/x509 can
  const x509 = await import("@peculiar/x509");
  const { webcrypto } = await import("node:crypto");
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(alg, true, [
    "sign",
    "verify",
  ])) as unknown as import("node:crypto").webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=expired",
    notBefore: new Date("2024-01-01T00:00:00Z"),
    notAfter: new Date("2025-01-01T00:00:00Z"),
    keys,
    signingAlgorithm: alg,
  });
  writeFileSync(master.at("/etc/kubernetes/pki/expired.crt"), cert.toString("pem"));
});

describe("cert-expiry", () => {
  it("logs every certificate, warns 30 days ahead, errs once expired, and writes one metric per certificate", async () => {
    const { argv, env } = master.unitCommand("cert-expiry.service");
    const r = spawnSync(argv[0] as string, argv.slice(1), { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const certs = ["/etc/ssl/etcd", "/etc/kubernetes/pki", "/var/lib/kubelet/pki"].flatMap((d) =>
      readdirSync(master.at(d))
        .filter((f) => f.endsWith(".crt") || f.endsWith("-current.pem"))
        .map((f) => master.at(`${d}/${f}`)),
    );
    expect(certs.length).toBeGreaterThan(10);
    expect(lines.filter((l) => /cert-expiry: \/.* (expires on|EXPIRED on)/.test(l))).toHaveLength(certs.length);
    expect(lines).toContainEqual(expect.stringMatching(/^<4>cert-expiry: .*\/soon\.crt expires on .*, in (9|10) days$/));
    expect(lines).toContainEqual(expect.stringMatching(/^<3>cert-expiry: .*\/expired\.crt EXPIRED on /));
    // the Terraform-issued ones are years away, the master's own a year (renewed on the machine): plain lines
    expect(lines).toContainEqual(
      expect.stringMatching(/^cert-expiry: .*\/etc\/kubernetes\/pki\/apiserver-etcd-client\.crt expires on .*, in 10\d\d days$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^cert-expiry: .*\/etc\/kubernetes\/pki\/apiserver\.crt expires on .*, in 36\d days$/),
    );
    expect(lines.at(-1)).toBe("cert-expiry: 2 certificate(s) expire within 30 days");

    const metrics = readFileSync(master.at("/var/lib/node-exporter/textfile/slipway-certificates.prom"), "utf8").trim().split("\n");
    expect(metrics.slice(0, 2)).toEqual([
      "# HELP slipway_certificate_expiry_timestamp_seconds When the certificate stops being valid (Unix time).",
      "# TYPE slipway_certificate_expiry_timestamp_seconds gauge",
    ]);
    const samples = metrics.slice(2);
    expect(samples).toHaveLength(certs.length);
    for (const s of samples) expect(s).toMatch(/^slipway_certificate_expiry_timestamp_seconds\{path="[^"\\\n]+"\} \d{10}$/);
    // the metric is the certificate's notAfter
    const soon = samples.find((s) => s.includes("/soon.crt"));
    const end = spawnSync("openssl", ["x509", "-noout", "-enddate", "-in", master.at("/etc/kubernetes/pki/soon.crt")], {
      encoding: "utf8",
    }).stdout;
    expect(Number(soon?.split(" ")[1]) * 1000).toBe(Date.parse(end.replace("notAfter=", "").trim()));
  });
});
