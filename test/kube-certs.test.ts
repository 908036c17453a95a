// A master issues its control-plane certificates itself (scripts/kube-certs.sh, run as its unit
// runs it over the Ignition-applied tree, with the real openssl): what the spec asks for, signed
// by the CA on the machine; nothing on a second run; again — and only those — when one is near
// its end, when the spec changed (a new public address) or when the CA did; the static pods are
// told (their manifests change), and a kubelet certificate client-go has rotated is left alone.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { runKubeCerts } from "./helpers/kube-certs";
import { NodeRoot } from "./helpers/node-root";
import { testCa } from "./helpers/test-ca";

const work = tmp("slipway-kube-certs-");
afterAll(() => work.cleanup());
const cluster = bakedDemoCluster();
const PUBLIC = ["198.51.100.10", "198.51.100.11", "198.51.100.12"];
let master: NodeRoot;
const pki = (f: string) => master.at(`/etc/kubernetes/pki/${f}`);

function openssl(args: string[]): string {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
const text = (f: string) => openssl(["x509", "-in", pki(`${f}.crt`), "-noout", "-text"]);
const fingerprint = (f: string) => openssl(["x509", "-in", pki(`${f}.crt`), "-noout", "-fingerprint", "-sha256"]);
const verifies = (f: string, ca: string) =>
  spawnSync("openssl", ["verify", "-CAfile", pki(`${ca}.crt`), pki(`${f}.crt`)], { encoding: "utf8" }).stdout.trim() ===
  `${pki(`${f}.crt`)}: OK`;
const ISSUED = ["apiserver", "apiserver-kubelet-client", "controller-manager", "scheduler", "super-admin", "front-proxy-client"];
const manifests = () =>
  Object.fromEntries(
    readdirSync(master.at("/etc/kubernetes/manifests")).map((m) => [m, readFileSync(master.at(`/etc/kubernetes/manifests/${m}`), "utf8")]),
  );
const issuedBy = (out: string) => [...out.matchAll(/^kube-certs: issued ([\w-]+) \(/gm)].map((m) => m[1]);

beforeAll(async () => {
  master = new NodeRoot(join(work.dir, "master"));
  const r = await renderNode(cluster, { target: { role: "master", index: 1 }, pkiDir: join(work.dir, "pki"), publicAddresses: PUBLIC });
  ignitionApply(r.config, master.root);
});

describe("kube-certs on a master", () => {
  it("first boot: issues every control-plane certificate the spec names, signed by the CA on the machine, before the kubelet", () => {
    const out = runKubeCerts(master).stdout;
    expect(issuedBy(out).sort()).toEqual([...ISSUED].sort());
    expect(out).toContain("issued the kubelet's first client certificate");
    for (const f of ISSUED) expect(verifies(f, f === "front-proxy-client" ? "front-proxy-ca" : "ca"), f).toBe(true);
    const api = text("apiserver");
    const node = cluster.plan.masters[1];
    for (const ip of [node?.ip, "127.0.0.1", cluster.plan.apiServiceIp, PUBLIC[1]]) expect(api).toContain(`IP Address:${ip}`);
    expect(api).toContain("DNS:kubernetes.default.svc.cluster.local");
    expect(api).toMatch(/TLS Web Server Authentication/);
    expect(text("controller-manager")).toMatch(/Subject: CN = system:kube-controller-manager/);
    expect(text("super-admin")).toMatch(/Subject: O = system:masters, CN = slipway-super-admin/);
    // the service-account public key is the one of the private key Terraform made
    expect(readFileSync(pki("sa.pub"), "utf8")).toBe(openssl(["pkey", "-in", pki("sa.key"), "-pubout"]));
    // client-go's layout, relative so it holds wherever the tree is
    expect(readlinkSync(master.at("/var/lib/kubelet/pki/kubelet-client-current.pem"))).toMatch(/^kubelet-client-\d{4}(-\d\d){5}\.pem$/);
    const unit = master.read("/etc/systemd/system/kubelet.service");
    expect(unit).toMatch(/^Requires=.*kube-certs\.service/m);
    expect(unit).toMatch(/^After=.*kube-certs\.service/m);
    // the renewal is daily and survives missed runs
    expect(master.read("/etc/systemd/system/kube-certs-renew.timer")).toMatch(/OnCalendar=daily[\s\S]*Persistent=true/);
  });

  it("the next run (a reboot, the daily timer) issues nothing and restarts nothing", () => {
    const before = manifests();
    const prints = ISSUED.map(fingerprint);
    expect(runKubeCerts(master, "kube-certs-renew.service").stdout).toBe("");
    expect(manifests()).toEqual(before);
    expect(ISSUED.map(fingerprint)).toEqual(prints);
  });

  it("a service-account public key that no longer matches its private key is derived again", () => {
    const other = join(work.dir, "other-sa.key");
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", other]);
    writeFileSync(pki("sa.pub"), openssl(["pkey", "-in", other, "-pubout"]));
    expect(runKubeCerts(master, "kube-certs-renew.service").stdout).toBe("kube-certs: derived sa.pub from sa.key\n");
    expect(readFileSync(pki("sa.pub"), "utf8")).toBe(openssl(["pkey", "-in", pki("sa.key"), "-pubout"]));
  });

  it("a certificate near its end is issued again, alone, and every static pod's manifest changes so the kubelet restarts it", () => {
    // the scheduler's, as if issued 355 days ago: 10 days left, inside pki.renewBeforeDays
    const req = join(work.dir, "req.pem");
    openssl(["req", "-new", "-key", pki("scheduler.key"), "-subj", "/CN=system:kube-scheduler", "-out", req]);
    openssl([
      "x509",
      "-req",
      "-in",
      req,
      "-CA",
      pki("ca.crt"),
      "-CAkey",
      pki("ca.key"),
      "-days",
      "10",
      "-set_serial",
      "7",
      "-out",
      pki("scheduler.crt"),
    ]);
    const before = manifests();
    const out = runKubeCerts(master, "kube-certs-renew.service").stdout;
    expect(issuedBy(out)).toEqual(["scheduler"]);
    expect(openssl(["x509", "-in", pki("scheduler.crt"), "-noout", "-checkend", String(300 * 86400)])).toMatch(/will not expire/);
    const after = manifests();
    expect(Object.keys(after).length).toBeGreaterThanOrEqual(3);
    for (const [m, body] of Object.entries(after)) {
      expect(body, m).not.toBe(before[m]);
      const annotations = (JSON.parse(body) as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
      expect(annotations["slipway/certificates"]).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("a new public address (the spec changed) re-issues the API server's certificate with it, and nothing else", () => {
    const spec = master.read("/etc/kubernetes/pki/certs.spec");
    writeFileSync(master.at("/etc/kubernetes/pki/certs.spec"), spec.replace(/^(apiserver\|[^|]*\|[^|]*\|)/m, "$1IP:203.0.113.7,"));
    const out = runKubeCerts(master, "kube-certs-renew.service").stdout;
    expect(issuedBy(out)).toEqual(["apiserver"]);
    expect(text("apiserver")).toContain("IP Address:203.0.113.7");
  });

  it("a replaced cluster CA re-issues what it signs, not the front-proxy client; the rotated kubelet certificate is left to the kubelet", () => {
    // client-go rotated the kubelet's certificate: an absolute link to its own timestamped file
    const dir = master.at("/var/lib/kubelet/pki");
    const current = join(dir, "kubelet-client-current.pem");
    const rotated = join(dir, "kubelet-client-2027-10-01-03-04-05.pem");
    renameSync(join(dir, readlinkSync(current)), rotated);
    unlinkSync(current);
    symlinkSync(rotated, current);
    const other = testCa(join(work.dir, "other-ca"));
    writeFileSync(pki("ca.crt"), readFileSync(other.caFile));
    writeFileSync(pki("ca.key"), readFileSync(join(work.dir, "other-ca", "ca.key")));
    const out = runKubeCerts(master, "kube-certs-renew.service").stdout;
    expect(issuedBy(out).sort()).toEqual(ISSUED.filter((f) => f !== "front-proxy-client").sort());
    for (const f of ISSUED) expect(verifies(f, f === "front-proxy-client" ? "front-proxy-ca" : "ca"), f).toBe(true);
    expect(readlinkSync(current)).toBe(rotated);
    expect(out).not.toContain("kubelet's first");
  });
});
