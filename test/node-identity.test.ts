// A machine's identity, found for real: each cloud's rendered node-identity step runs in a
// network namespace shaped like a booting node — its planned address on eth0, Docker's and the
// CNI's bridges beside it, the metadata service at 169.254.169.254 in a namespace of its own,
// answering the way that cloud's does (OpenStack's meta_data.json, AWS's IMDSv2 session tokens).
// What it writes is what the kubelet registers with, so it must be exact: the cloud
// controller manager's provider id and the address the machine reaches the cluster from.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import type { Cluster } from "../clusters/model/load";
import { ipFromNumber } from "../clusters/model/net";
import { awsCluster, bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { Lab } from "./helpers/lab";
import { NodeRoot } from "./helpers/node-root";

const PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
const work = tmp("slipway-identity-");
afterAll(() => work.cleanup());

// The two metadata services, as far as node-identity uses them. AWS's refuses a GET without a
// session token (IMDSv2 required, as the stack configures instances) and a token not issued by PUT.
const METADATA_SERVER = `
import http.server, json, sys, secrets
cloud, uuid, zone, instance = sys.argv[1:5]
tokens = set()
class H(http.server.BaseHTTPRequestHandler):
    def send(self, code, body=b""):
        self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_PUT(self):
        if cloud == "aws" and self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            t = secrets.token_hex(16); tokens.add(t); return self.send(200, t.encode())
        self.send(405)
    def do_GET(self):
        if cloud == "openstack":
            if self.path == "/openstack/latest/meta_data.json":
                return self.send(200, json.dumps({"uuid": uuid, "name": "x", "availability_zone": "nova"}).encode())
            return self.send(404)
        if self.headers.get("X-aws-ec2-metadata-token") not in tokens: return self.send(401)
        docs = {"/latest/meta-data/placement/availability-zone": zone, "/latest/meta-data/instance-id": instance}
        if self.path in docs: return self.send(200, docs[self.path].encode())
        self.send(404)
    def log_message(self, *a): sys.stderr.write(self.path + "\\n")
http.server.HTTPServer(("169.254.169.254", 80), H).serve_forever()
`;

const UUID = "6f2ac7b0-1d5e-4a1f-9f7e-3c2b1a0d9e8f";

async function machine(cluster: Cluster, name: string) {
  const root = new NodeRoot(join(work.dir, name));
  ignitionApply(
    (await renderNode(cluster, { target: { role: "worker", pool: "general" }, pkiDir: join(work.dir, `pki-${name}`) })).config,
    root.root,
  );
  return root;
}

describe("node-identity", () => {
  let lab: Lab | undefined;
  const loops: string[] = [];
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
    for (const l of loops.splice(0)) spawnSync("losetup", ["-d", l]);
  });

  /** The node's namespace: planned address on eth0 (and the subnet's gateway as default route),
   *  docker0 and cni0 up with addresses of their own, the metadata service one hop away. */
  function network(cluster: Cluster, withMetadata: boolean) {
    // a planned worker address; AWS's pools take theirs from DHCP, so one inside the second
    // zone's worker subnet
    const planned = cluster.plan.pools[0]?.nodes[1];
    const index = planned?.subnet ?? (cluster.plan.workerSubnets[1] as number);
    const subnet = cluster.plan.subnets[index];
    if (!subnet) throw new Error("no subnet");
    const node = { ip: planned?.ip ?? ipFromNumber(subnet.first + 200), subnet: index };
    lab = new Lab(work.dir, "id");
    const ip = (ns: string, args: string[]) => {
      const r = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    };
    // bridges first, so a tool taking "the first address" would pick one of them
    const ns = lab.machine("node", `${node.ip}/${subnet.prefix}`);
    for (const [dev, cidr] of [
      ["docker0", "172.17.0.1/16"],
      ["cni0", cluster.config.network.pods.replace(/\.0\/\d+$/, ".1/24")],
    ] as const) {
      ip(ns, ["link", "add", dev, "type", "bridge"]);
      ip(ns, ["addr", "add", cidr, "dev", dev]);
      ip(ns, ["link", "set", dev, "up"]);
    }
    ip(ns, ["route", "add", "default", "via", cluster.plan.gateway[node.subnet] as string]);
    ip(ns, ["route", "add", "169.254.169.254/32", "dev", "eth0"]);
    let meta: string | undefined;
    if (withMetadata) {
      meta = lab.machine("meta", "169.254.169.254/16");
      ip(meta, ["route", "add", `${node.ip}/32`, "dev", "eth0"]);
    }
    return { lab, ns, meta, node };
  }

  /** The metadata service, answering after `delay` seconds (a node boots faster than Nova's
   *  metadata agent sometimes answers). */
  function serve(meta: string, cloud: string, delay = 0) {
    const file = join(work.dir, "metadata.py");
    writeFileSync(file, METADATA_SERVER);
    const args = ["python3", file, cloud, UUID, "eu-west-1b", "i-0abc123def4567890"];
    return lab?.start(`metadata-${cloud}`, meta, ["sh", "-c", `sleep ${delay}; exec "$@"`, "sh", ...args], { PATH });
  }

  function runIdentity(root: NodeRoot, ns: string, extra: Record<string, string> = {}) {
    const u = root.unit("node-identity.service");
    const env = { ...root.serviceEnv("node-identity.service"), PATH, ...extra };
    const r = lab?.exec(ns, [root.at(u.execStart[0] as string), ...u.execStart.slice(1)], env, 60_000);
    return {
      r,
      out: () => root.envFile("/run/slipway/node-identity.env"),
      written: () => existsSync(root.at("/run/slipway/node-identity.env")),
    };
  }

  it("OpenStack: provider id from Nova's metadata (waiting for it to come up), address of eth0 — not docker0 or cni0", async () => {
    const cluster = bakedDemoCluster();
    const root = await machine(cluster, "os");
    const { ns, meta, node } = network(cluster, true);
    // the metadata service answers only after the script has started trying
    serve(meta as string, "openstack", 1.5);
    const { r, out } = runIdentity(root, ns, { METADATA_RETRY_SECONDS: "0.5" });
    expect(r?.status, r?.stderr).toBe(0);
    expect(out()).toEqual({ PROVIDER_ID: `openstack:///${UUID}`, NODE_IP: node.ip });
  });

  it("AWS: aws:///<zone>/<instance id> through an IMDSv2 session token; the subnet's gateway route picks the address", async () => {
    const cluster = awsCluster([
      [["image", "ami"], "ami-0123456789abcdef0"],
      [["kubernetes", "binaries", "source"], "image"],
    ]);
    const root = await machine(cluster, "aws");
    const { ns, meta, node } = network(cluster, true);
    // the etcd member it routes to is in another zone's subnet: reached through the gateway
    expect(cluster.plan.etcd[0]?.subnet).not.toBe(node.subnet);
    serve(meta as string, "aws");
    const { r, out } = runIdentity(root, ns);
    expect(r?.status, r?.stderr).toBe(0);
    expect(out()).toEqual({ PROVIDER_ID: "aws:///eu-west-1b/i-0abc123def4567890", NODE_IP: node.ip });
  });

  it("OpenStack without a metadata service reads the config drive", async () => {
    const cluster = bakedDemoCluster();
    const root = await machine(cluster, "drive");
    const { ns } = network(cluster, false);
    const content = join(work.dir, "drive", "openstack", "latest");
    mkdirSync(content, { recursive: true });
    writeFileSync(join(content, "meta_data.json"), JSON.stringify({ uuid: UUID }));
    const image = join(work.dir, "config-drive.img");
    const mk = spawnSync("mkfs.ext4", ["-q", "-F", "-L", "config-2", "-d", join(work.dir, "drive"), image, "4M"], { encoding: "utf8" });
    expect(mk.status, mk.stderr).toBe(0);
    const loop = spawnSync("losetup", ["--find", "--show", image], { encoding: "utf8" });
    expect(loop.status, loop.stderr).toBe(0);
    loops.push(loop.stdout.trim());
    const { r, out } = runIdentity(root, ns, { METADATA_RETRY_SECONDS: "0.2", METADATA_TRIES: "3" });
    expect(r?.status, r?.stderr).toBe(0);
    expect(out().PROVIDER_ID).toBe(`openstack:///${UUID}`);
  });

  it("with no metadata at all it fails loudly and writes nothing, so the kubelet (which requires it) never registers without an id", async () => {
    const cluster = bakedDemoCluster();
    const root = await machine(cluster, "none");
    const { ns } = network(cluster, false);
    const { r, written } = runIdentity(root, ns, { METADATA_RETRY_SECONDS: "0.1", METADATA_TRIES: "2" });
    expect(r?.status).toBe(1);
    expect(r?.stderr).toContain(
      "node-identity: no instance uuid from http://169.254.169.254/openstack/latest/meta_data.json or the config drive",
    );
    expect(written()).toBe(false);
    const kubelet = root.read("/etc/systemd/system/kubelet.service");
    expect(kubelet).toMatch(/^Requires=.*\bnode-identity\.service\b/m);
    expect(kubelet).toMatch(/^EnvironmentFile=\/run\/slipway\/node-identity\.env$/m);
  });
});
