// Certificates that renew themselves, through the same rules their consumers apply: a master's
// kubelet client certificate (from the Ignition config) is laid out so client-go's file store can
// rotate it — certificate and key in one file behind the kubelet-client-current.pem link, which
// the kubeconfig names — and the rotated certificate is what the kubelet then uses. The old
// layout (a regular file) is shown to be unrotatable by the same rules.
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ClientGoStore } from "./helpers/client-go-store";
import { ignitionApply } from "./helpers/ignition";
import { runKubeCerts } from "./helpers/kube-certs";
import { NodeRoot } from "./helpers/node-root";
import { keyAndRequest } from "./helpers/test-ca";

const work = tmp("slipway-rotate-");
afterAll(() => work.cleanup());
const cluster = bakedDemoCluster();
const pki = join(work.dir, "pki");
let master: NodeRoot;

beforeAll(async () => {
  master = new NodeRoot(join(work.dir, "master"));
  ignitionApply((await renderNode(cluster, { target: { role: "master", index: 0 }, pkiDir: pki })).config, master.root);
  runKubeCerts(master);
});

/** A new kubelet client certificate as the controller-manager would sign it for this node. */
function signedByClusterCa(node: string, n: number): { cert: string; key: string } {
  const dir = join(work.dir, `new-${n}`);
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  keyAndRequest(dir, `/O=system:nodes/CN=system:node:${node}`);
  writeFileSync(join(dir, "ext"), "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
  run([
    "x509",
    "-req",
    "-in",
    "r.pem",
    "-CA",
    join(pki, "kubernetes-ca.crt"),
    "-CAkey",
    join(pki, "kubernetes-ca.key"),
    "-CAcreateserial",
    "-days",
    "365",
    "-extfile",
    "ext",
    "-out",
    "c.pem",
  ]);
  return { cert: readFileSync(join(dir, "c.pem"), "utf8"), key: readFileSync(join(dir, "k.pem"), "utf8") };
}

describe("a master's kubelet client certificate", () => {
  const name = () => cluster.plan.masters[0]?.name as string;
  const store = () => new ClientGoStore("/var/lib/kubelet/pki", "kubelet-client", (p) => master.at(p));
  const kubeconfigCert = () => {
    const kc = parse(master.read("/var/lib/kubelet/kubeconfig"));
    return { cert: kc.users[0].user["client-certificate"] as string, key: kc.users[0].user["client-key"] as string };
  };

  it("loads as client-go loads it: certificate and key in one file, behind the current link the kubeconfig names", () => {
    expect(lstatSync(master.at("/var/lib/kubelet/pki/kubelet-client-current.pem")).isSymbolicLink()).toBe(true);
    expect(store().current().subject).toBe(`CN=system:node:${name()},O=system:nodes`);
    expect(kubeconfigCert()).toEqual({
      cert: "/var/lib/kubelet/pki/kubelet-client-current.pem",
      key: "/var/lib/kubelet/pki/kubelet-client-current.pem",
    });
  });

  it("rotates, twice, by client-go's rules; the kubelet's kubeconfig then reaches the new certificate, which the cluster CA signed", () => {
    const first = store().current().pem;
    for (const [n, when] of [
      [1, new Date("2027-10-01T03:04:05Z")],
      [2, new Date("2028-08-01T03:04:05Z")],
    ] as const) {
      const fresh = signedByClusterCa(name(), n);
      const file = store().update(fresh.cert, fresh.key, when);
      expect(file).toBe(`/var/lib/kubelet/pki/kubelet-client-${when.toISOString().slice(0, 19).replace("T", "-").replace(/:/g, "-")}.pem`);
      expect(master.resolve(kubeconfigCert().cert)).toBe(master.at(file));
      const now = store().current();
      expect(now.pem).toBe(fresh.cert + fresh.key);
      expect(now.pem).not.toBe(first);
      const verify = spawnSync("openssl", ["verify", "-CAfile", master.at("/etc/kubernetes/pki/ca.crt"), master.at(file)], {
        encoding: "utf8",
      });
      expect(verify.stdout.trim()).toBe(`${master.at(file)}: OK`);
    }
  });

  it("the layout before (a regular file) can never rotate: client-go refuses to replace it", () => {
    const old = new NodeRoot(join(work.dir, "old"));
    mkdirSync(old.at("/var/lib/kubelet/pki"), { recursive: true });
    writeFileSync(old.at("/var/lib/kubelet/pki/kubelet-client-current.pem"), store().current().pem);
    const fresh = signedByClusterCa(name(), 3);
    const s = new ClientGoStore("/var/lib/kubelet/pki", "kubelet-client", (p) => old.at(p));
    expect(() => s.update(fresh.cert, fresh.key)).toThrow(/expected ".*kubelet-client-current\.pem" to be a symlink but it is a file/);
  });
});
