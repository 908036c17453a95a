// The masters' certificate approver, run by bash exactly as its unit runs it (its rules file from
// the rendered master), deciding real certificate signing requests made with openssl. The
// Kubernetes API is a stand-in kubectl serving CertificateSigningRequest and Node objects from
// files and recording each approve/deny (no API server runs here): what is proved is the
// decision, for every rule, on both clouds' machine names.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinGroup } from "../bootstrap/kube/join";
import { renderNode } from "../bootstrap/render";
import type { Cluster } from "../clusters/model/load";
import { awsCluster, bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { NodeRoot } from "./helpers/node-root";
import { keyAndRequest } from "./helpers/test-ca";

const work = tmp("slipway-csr-");
afterAll(() => work.cleanup());

interface Csr {
  name: string;
  signer: "kubernetes.io/kubelet-serving" | "kubernetes.io/kube-apiserver-client-kubelet";
  username: string;
  groups: string[];
  usages: string[];
  subject: string;
  sans?: string;
  /** corrupt the request's signature */
  forged?: boolean;
  approved?: boolean;
}

let n = 0;
function request(c: Csr): string {
  const dir = join(work.dir, `csr-${n++}`);
  mkdirSync(dir, { recursive: true });
  const { request: file } = keyAndRequest(dir, c.subject, c.sans);
  let pem = readFileSync(file, "utf8");
  if (c.forged) {
    // flip a bit of the last signature byte: the DER stays well-formed, the signature is wrong
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    der[der.length - 2] = (der[der.length - 2] as number) ^ 1;
    pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE REQUEST-----\n`;
  }
  return Buffer.from(pem).toString("base64");
}

const csrObject = (c: Csr) => ({
  apiVersion: "certificates.k8s.io/v1",
  kind: "CertificateSigningRequest",
  metadata: { name: c.name },
  spec: { request: request(c), signerName: c.signer, username: c.username, groups: c.groups, usages: c.usages },
  status: c.approved ? { conditions: [{ type: "Approved", status: "True" }] } : {},
});

/** Run one decision pass of the rendered approver against these CSRs and Nodes. */
function decide(root: NodeRoot, csrs: Csr[], nodes: Record<string, { type: string; address: string }[]>) {
  const dir = join(work.dir, `api-${n++}`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  mkdirSync(join(dir, "nodes"));
  writeFileSync(join(dir, "csrs.json"), JSON.stringify({ kind: "CertificateSigningRequestList", items: csrs.map(csrObject) }));
  for (const [name, addresses] of Object.entries(nodes))
    writeFileSync(join(dir, "nodes", `${name}.json`), JSON.stringify({ kind: "Node", metadata: { name }, status: { addresses } }));
  writeFileSync(
    join(dir, "bin", "kubectl"),
    `#!/bin/bash
case "$1 $2" in
  "get csr") cat ${dir}/csrs.json ;;
  "get node") cat "${dir}/nodes/$3.json" 2>/dev/null || { echo "Error from server (NotFound)" >&2; exit 1; } ;;
  "certificate approve"|"certificate deny") echo "$2 $3" >>${dir}/decisions ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`,
  );
  chmodSync(join(dir, "bin", "kubectl"), 0o755);
  writeFileSync(join(dir, "decisions"), "");
  const u = root.unit("approve-csrs.service");
  const env = root.serviceEnv("approve-csrs.service");
  const r = spawnSync(root.at(u.execStart[0] as string), [], {
    env: { ...env, PATH: `${join(dir, "bin")}:/usr/bin:/bin`, CSR_ONCE: "1" },
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  const decisions = Object.fromEntries(
    readFileSync(join(dir, "decisions"), "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.split(" ")[1], l.split(" ")[0]]),
  );
  return { decisions, log: r.stdout };
}

async function masterOf(cluster: Cluster, name: string): Promise<NodeRoot> {
  const root = new NodeRoot(join(work.dir, name));
  ignitionApply(
    (await renderNode(cluster, { target: { role: "master", index: 0 }, pkiDir: join(work.dir, `pki-${name}`) })).config,
    root.root,
  );
  return root;
}

const SERVING = ["digital signature", "server auth"];
const CLIENT = ["digital signature", "client auth"];
const serving = (name: string, node: string, sans: string, more: Partial<Csr> = {}): Csr => ({
  name,
  signer: "kubernetes.io/kubelet-serving",
  username: `system:node:${node}`,
  groups: ["system:nodes", "system:authenticated"],
  usages: SERVING,
  subject: `/O=system:nodes/CN=system:node:${node}`,
  sans,
  ...more,
});
const joining = (name: string, node: string, pool: string | undefined, more: Partial<Csr> = {}): Csr => ({
  name,
  signer: "kubernetes.io/kube-apiserver-client-kubelet",
  username: "system:bootstrap:0a1b2c",
  groups: ["system:bootstrappers", ...(pool ? [joinGroup(pool)] : []), "system:authenticated"],
  usages: CLIENT,
  subject: `/O=system:nodes/CN=system:node:${node}`,
  ...more,
});

describe("the CSR approver on OpenStack", () => {
  const cluster = bakedDemoCluster();
  let master: NodeRoot;
  beforeAll(async () => {
    master = await masterOf(cluster, "os");
  });
  const general0 = [
    { type: "InternalIP", address: "10.0.0.64" },
    { type: "Hostname", address: "demo-general-0" },
  ];

  it("approves a kubelet's serving certificate for exactly its Node's names and addresses", () => {
    const { decisions, log } = decide(
      master,
      [
        serving("ok", "demo-general-0", "DNS:demo-general-0,IP:10.0.0.64"),
        serving("other-ip", "demo-general-0", "DNS:demo-general-0,IP:10.0.0.99"),
        serving("other-name", "demo-general-0", "DNS:kubernetes.default,IP:10.0.0.64"),
        serving("not-its-subject", "demo-general-0", "IP:10.0.0.64", { subject: "/O=system:nodes/CN=system:node:demo-master-0" }),
        serving("not-a-node", "demo-general-0", "IP:10.0.0.64", { username: "alice", groups: ["system:authenticated"] }),
        serving("client-usage", "demo-general-0", "IP:10.0.0.64", { usages: ["digital signature", "client auth"] }),
        serving("no-names", "demo-general-0", ""),
        serving("email", "demo-general-0", "email:root@example.com"),
        serving("forged", "demo-general-0", "IP:10.0.0.64", { forged: true }),
        serving("unregistered", "demo-general-7", "IP:10.0.0.71"),
        serving("done-already", "demo-general-0", "IP:10.0.0.64", { approved: true }),
      ],
      { "demo-general-0": general0 },
    );
    expect(decisions).toEqual({
      ok: "approve",
      "other-ip": "deny",
      "other-name": "deny",
      "not-its-subject": "deny",
      "not-a-node": "deny",
      "client-usage": "deny",
      "no-names": "deny",
      email: "deny",
      forged: "deny",
    });
    expect(log).toContain("left unregistered pending: the Node demo-general-7 does not exist yet");
    expect(log).toContain("denied other-ip: 10.0.0.99 is not an address of Node demo-general-0");
  });

  it("lets a pool's token have a first certificate only for that pool's machine names", () => {
    const { decisions, log } = decide(
      master,
      [
        joining("general-ok", "demo-general-3", "general"),
        joining("logging-ok", "demo-logging-1", "logging"),
        joining("a-master", "demo-master-0", "general"),
        joining("an-etcd-member", "demo-etcd-0", "general"),
        joining("other-pool", "demo-logging-0", "general"),
        joining("no-pool", "demo-general-3", undefined),
        joining("unknown-pool", "demo-general-3", "gpu"),
        joining("two-pools", "demo-general-3", "general", { groups: ["system:bootstrappers", joinGroup("general"), joinGroup("logging")] }),
        joining("with-names", "demo-general-3", "general", { sans: "DNS:demo-general-3" }),
        joining("server-usage", "demo-general-3", "general", { usages: ["digital signature", "server auth"] }),
        joining("other-org", "demo-general-3", "general", { subject: "/O=system:masters/CN=system:node:demo-general-3" }),
        joining("suffix", "demo-general-3.evil", "general"),
        // a node renewing its own client certificate: the controller-manager's to decide
        joining("renewal", "demo-general-0", undefined, { username: "system:node:demo-general-0", groups: ["system:nodes"] }),
      ],
      {},
    );
    expect(decisions).toEqual({
      "general-ok": "approve",
      "logging-ok": "approve",
      "a-master": "deny",
      "an-etcd-member": "deny",
      "other-pool": "deny",
      "no-pool": "deny",
      "unknown-pool": "deny",
      "two-pools": "deny",
      "with-names": "deny",
      "server-usage": "deny",
      "other-org": "deny",
      suffix: "deny",
    });
    expect(log).toContain("denied a-master: demo-master-0 is not a machine name of pool general");
  });
});

describe("the CSR approver on AWS", () => {
  const cluster = awsCluster([
    [["image", "ami"], "ami-0123456789abcdef0"],
    [["kubernetes", "binaries", "source"], "image"],
  ]);
  let master: NodeRoot;
  beforeAll(async () => {
    master = await masterOf(cluster, "aws");
  });

  it("takes EC2's private DNS names whose address lies in a worker subnet", () => {
    const region = cluster.config.cloud === "aws" ? cluster.config.aws.region : "";
    const { decisions } = decide(
      master,
      [
        joining("in-subnet", `ip-10-0-160-23.${region}.compute.internal`, "general"),
        joining("short-name", "ip-10-0-192-5", "general"),
        joining("public-subnet", `ip-10-0-0-23.${region}.compute.internal`, "general"),
        joining("other-region", "ip-10-0-160-23.us-west-2.compute.internal", "general"),
        joining("a-master", cluster.plan.masters[0]?.name as string, "general"),
      ],
      {},
    );
    expect(decisions).toEqual({
      "in-subnet": "approve",
      "short-name": "approve",
      "public-subnet": "deny",
      "other-region": "deny",
      "a-master": "deny",
    });
  });
});
