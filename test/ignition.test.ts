// Node configs through the real Ignition tools: every rendered config (each role, several cluster
// shapes) passes ignition-validate with no output, the real ignition binary applies it into a
// scratch root, and the tree has the files, modes, units and presets the machine needs; the units
// pass systemd-analyze verify.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unwrapConfig } from "../bootstrap/ignition/render";
import type { NodeTarget } from "../bootstrap/node";
import { renderNode } from "../bootstrap/render";
import type { Cluster } from "../clusters/model/load";
import { kubernetesBinaries } from "../clusters/model/sysext";
import { awsCluster, demoCluster, tmp } from "./helpers/clusters";
import { type SysextServer, serveSysext } from "./helpers/sysext-server";
import { ignitionApply, ignitionValidate, verifyUnits } from "./helpers/ignition";
import { startLimitCanTrip, unitSections } from "./helpers/systemd";

const work = tmp("slipway-ign-test-");
// machines download the Kubernetes extension from here (Ignition fetches and verifies it)
let sysext: SysextServer;
beforeAll(async () => {
  sysext = await serveSysext(work.dir);
});
afterAll(async () => {
  await sysext?.close();
  work.cleanup();
});

/** Each shape, with its downloads from `s` (or, to plan the tests, from nowhere). */
const variants: Record<string, (s?: SysextServer) => Cluster> = {
  "demo (3 etcd, a pool with and one without logs volume)": (s) => demoCluster(s?.changes()),
  "1 etcd member, 1 master, one pool without logs": (s) =>
    demoCluster([[["etcd", "count"], 1], [["masters", "count"], 1], [["workers"], [{ name: "small", count: 1 }]], ...(s?.changes() ?? [])]),
  "AWS demo (3 zones, private subnets, a pool with logs volume)": (s) => awsCluster(s?.changes()),
  "5 etcd members, one pool with logs": (s) =>
    demoCluster([[["etcd", "count"], 5], [["workers"], [{ name: "logs", count: 2, logsVolumeSize: 20 }]], ...(s?.changes() ?? [])]),
};

function targets(c: Cluster): NodeTarget[] {
  return [
    ...c.plan.etcd.map((m) => ({ role: "etcd" as const, index: m.index })),
    ...c.plan.masters.slice(0, 1).map((m) => ({ role: "master" as const, index: m.index })),
    ...c.plan.pools.map((p) => ({ role: "worker" as const, pool: p.name })),
  ];
}

const mode = (p: string) => statSync(p).mode & 0o777;
const env = (p: string) =>
  Object.fromEntries(
    readFileSync(p, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );

let n = 0;
for (const [name, variant] of Object.entries(variants)) {
  describe(`node configs: ${name}`, () => {
    const pki = join(work.dir, `pki-${n++}`);
    for (const target of targets(variant())) {
      const label = target.role === "worker" ? `worker pool ${target.pool}` : `${target.role} ${target.index}`;
      it(`${label}: validates, applies with the real ignition binary, and has what the machine needs`, async () => {
        const cluster = variant(sysext);
        const r = await renderNode(cluster, { target, pkiDir: pki });
        const v = ignitionValidate(r.config);
        expect(v.ok, v.output).toBe(true);

        const root = join(work.dir, `root-${n++}`);
        ignitionApply(r.config, root, { caFile: sysext.caFile });
        const at = (p: string) => join(root, p);

        // every machine; the cloud names the machines of an AWS Auto Scaling group
        if (cluster.config.cloud === "aws" && target.role === "worker") expect(existsSync(at("/etc/hostname"))).toBe(false);
        else expect(readFileSync(at("/etc/hostname"), "utf8")).toBe(r.hostname);
        for (const f of ["ca.crt", "proxy-client.crt", "proxy-server.crt", "node-client.crt"])
          expect(mode(at(`/etc/ssl/etcd/${f}`)), f).toBe(0o644);
        for (const f of ["proxy-client.key", "proxy-server.key", "node-client.key"]) expect(mode(at(`/etc/ssl/etcd/${f}`)), f).toBe(0o600);
        for (const s of ["etcdctl", "flannel-network-config", "register-node"]) expect(mode(at(`/opt/slipway/bin/${s}`)), s).toBe(0o755);
        expect(JSON.parse(readFileSync(at("/etc/flannel/network.json"), "utf8"))).toEqual({
          Network: cluster.config.network.pods,
          SubnetLen: cluster.config.network.podSubnetPrefix,
          Backend: { Type: "vxlan", Port: 8472 },
        });
        const proxy = readFileSync(at("/etc/systemd/system/etcd-proxy.service"), "utf8");
        expect(proxy).toContain(`--endpoints=${cluster.plan.etcd.map((m) => `https://${m.ip}:2379`).join(",")}`);
        expect(proxy).toContain("--listen-addr=127.0.0.1:2379");
        expect(env(at("/etc/slipway/etcdctl.env")).ETCDCTL_ENDPOINTS).toBe("https://127.0.0.1:2379");
        const keys = readFileSync(at("/home/core/.ssh/authorized_keys.d/ignition"), "utf8");
        expect(keys).toContain(cluster.config.ssh.authorizedKeys[0]);
        expect(mode(at("/home/core/.ssh/authorized_keys.d/ignition"))).toBe(0o600);

        // the proxy's client certificate has no Common Name (grpc-proxy refuses one); all verify
        const subj = spawnSync("openssl", ["x509", "-noout", "-subject", "-in", at("/etc/ssl/etcd/proxy-client.crt")], {
          encoding: "utf8",
        }).stdout;
        expect(subj).not.toMatch(/CN ?=/);
        for (const c of ["proxy-client", "proxy-server", "node-client", ...(target.role === "etcd" ? ["member"] : [])]) {
          const ok = spawnSync("openssl", ["verify", "-CAfile", at("/etc/ssl/etcd/ca.crt"), at(`/etc/ssl/etcd/${c}.crt`)], {
            encoding: "utf8",
          });
          expect(ok.stdout.trim(), ok.stderr).toBe(`${at(`/etc/ssl/etcd/${c}.crt`)}: OK`);
        }

        // enabled by preset, linked by preset-all
        const enabled = [
          "node-identity.service",
          "etcd-proxy.service",
          "flannel-network-config.service",
          "flanneld.service",
          "register-node.service",
          "coordinate-reboot.timer",
          "cert-expiry.timer",
        ];
        if (target.role === "etcd") enabled.push("etcd-member.service", "etcd-data.service", "etcd-health.timer", "etcd-auth.service");
        else {
          enabled.push("api-lb.service", "kubelet.service", "flannel-cni.service", "block-metadata.service");
          // Ignition itself placed the Kubernetes extension, verified, and its /etc/extensions link
          const k = kubernetesBinaries(cluster.config);
          expect(readFileSync(at(k.path))).toEqual(sysext.payload);
          expect(readlinkSync(at("/etc/extensions/kubernetes.raw"))).toBe(k.path);
        }
        if (target.role === "master")
          enabled.push(
            "kube-bootstrap.service",
            "slipway-addons.service",
            "join-tokens.timer",
            "approve-csrs.service",
            "kube-certs.service",
            "kube-certs-renew.timer",
            "drain-nodes.service",
          );
        const wantsLogs = target.role === "worker" && Boolean(cluster.plan.pools.find((p) => p.name === target.pool)?.logsVolumeSize);
        if (wantsLogs) enabled.push("logs-volume.service");
        const preset = readFileSync(at("/etc/systemd/system-preset/20-ignition.preset"), "utf8");
        expect(preset.trim().split("\n").sort()).toEqual(enabled.map((u) => `enable ${u}`).sort());
        for (const u of enabled) {
          const wants = ["multi-user.target.wants", "timers.target.wants", "local-fs.target.wants", "etcd-member.service.requires"]
            .map((d) => at(`/etc/systemd/system/${d}/${u}`))
            .filter((p) => lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink());
          expect(wants.length, `${u} is linked from a target`).toBeGreaterThan(0);
          expect(readlinkSync(wants[0] as string)).toBe(`/etc/systemd/system/${u}`);
        }
        expect(existsSync(at("/etc/systemd/system/logs-volume.service"))).toBe(wantsLogs);

        // etcd members: the member's own settings, certificate and data volume
        if (target.role === "etcd") {
          const member = cluster.plan.etcd[target.index];
          const e = env(at("/etc/etcd/etcd.env"));
          expect(e.ETCD_NAME).toBe(member?.name);
          expect(e.ETCD_INITIAL_CLUSTER).toBe(cluster.plan.etcd.map((m) => `${m.name}=https://${m.ip}:2380`).join(","));
          expect(e.ETCD_LISTEN_CLIENT_URLS).toBe(`https://${member?.ip}:2379`);
          expect(e.ETCD_DATA_DIR).toBe("/var/lib/etcd/data");
          for (const k of [
            "ETCD_CERT_FILE",
            "ETCD_KEY_FILE",
            "ETCD_TRUSTED_CA_FILE",
            "ETCD_PEER_CERT_FILE",
            "ETCD_PEER_KEY_FILE",
            "ETCD_PEER_TRUSTED_CA_FILE",
          ])
            expect(existsSync(at(e[k] as string)), k).toBe(true);
          expect(e.ETCD_CLIENT_CERT_AUTH).toBe("true");
          expect(e.ETCD_PEER_CLIENT_CERT_AUTH).toBe("true");
          expect(mode(at("/etc/ssl/etcd/member.key"))).toBe(0o600);
          const san = spawnSync("openssl", ["x509", "-noout", "-ext", "subjectAltName", "-in", at("/etc/ssl/etcd/member.crt")], {
            encoding: "utf8",
          }).stdout;
          expect(san).toContain(`IP Address:${member?.ip}`);
          expect(env(at("/etc/slipway/volumes.env")).ETCD_DATA_VOLUME).toBe("/dev/vdb");
          expect(readFileSync(at("/etc/systemd/system/etcd-data.service"), "utf8")).toContain(
            "ExecStart=/opt/slipway/bin/prepare-volume ${ETCD_DATA_VOLUME} /var/lib/etcd etcd-data",
          );
        } else expect(existsSync(at("/etc/etcd/etcd.env"))).toBe(false);

        const tree = (dir: string) =>
          spawnSync(
            "sh",
            [
              "-c",
              `cd ${dir} && find . -path ./etc/selinux -prune -o -type f -print | grep -v -e pwd.lock -e ignition-result -e shadow -e passwd- -e 20-ignition.preset | sort | xargs sha256sum`,
            ],
            { encoding: "utf8" },
          ).stdout;
        const sortedPreset = (dir: string) =>
          readFileSync(join(dir, "etc/systemd/system-preset/20-ignition.preset"), "utf8").split("\n").sort().join("\n");
        const plainTree = tree(root);

        const verify = verifyUnits(root);
        expect(verify.units.length).toBeGreaterThanOrEqual(5);
        expect(verify.output).toBe("");
        expect(verify.ok).toBe(true);

        // every service survives day 365: one that restarts never gives up for good (a flapping
        // dependency must not leave it failed until someone logs in), and stopping one stops all
        // its processes (KillMode=process leaves children running into the next start)
        const units = readdirSync(at("/etc/systemd/system")).filter((f) => f.endsWith(".service"));
        for (const u of units) {
          const text = readFileSync(at(`/etc/systemd/system/${u}`), "utf8");
          expect(startLimitCanTrip(text), `${u} can hit its start limit and stay failed`).toBe(false);
          const sections = unitSections(text);
          expect(sections.Service?.KillMode ?? [], u).not.toContainEqual(expect.stringMatching(/^(process|none)$/));
          expect(
            Object.keys(sections.Service ?? {}).filter((k) => k.startsWith("StartLimit")),
            `${u}: start limits belong in [Unit]`,
          ).toEqual([]);
        }

        // the user_data form boots the same tree
        const wrapped = await renderNode(cluster, { target, pkiDir: pki, wrapped: true });
        expect(ignitionValidate(wrapped.config).ok).toBe(true);
        expect(unwrapConfig(wrapped.config)).toBe(r.config);
        const root2 = join(work.dir, `root-${n++}`);
        ignitionApply(wrapped.config, root2, { caFile: sysext.caFile });
        expect(tree(root2)).toBe(plainTree);
        expect(sortedPreset(root2)).toBe(sortedPreset(root)); // Ignition writes presets in no fixed order
      });
    }
  });
}

describe("ignition-validate is really strict here", () => {
  it("fails a config with an unknown key (a warning) and one with a relative path (an error)", () => {
    expect(ignitionValidate('{"ignition":{"version":"3.3.0"},"storage":{"filez":[]}}').ok).toBe(false);
    expect(ignitionValidate('{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"etc/x"}]}}').ok).toBe(false);
    expect(ignitionValidate('{"ignition":{"version":"3.3.0"}}').ok).toBe(true);
  });
});

describe("the start-limit rule the node configs are held to", () => {
  it("flags a unit systemd would give up on, and passes the ways to never give up", () => {
    const unit = (u: string, svc: string) => `[Unit]\nDescription=t\n${u}\n[Service]\nExecStart=/bin/false\n${svc}\n`;
    expect(startLimitCanTrip(unit("", "Restart=always"))).toBe(true); // 5 × 100 ms < 10 s
    expect(startLimitCanTrip(unit("", "Restart=on-failure\nRestartSec=1"))).toBe(true);
    expect(startLimitCanTrip(unit("", "Restart=always\nRestartSec=1\nStartLimitIntervalSec=0"))).toBe(true); // ignored there
    expect(startLimitCanTrip(unit("StartLimitIntervalSec=0", "Restart=always"))).toBe(false);
    expect(startLimitCanTrip(unit("", "Restart=always\nRestartSec=2"))).toBe(false);
    expect(startLimitCanTrip(unit("StartLimitIntervalSec=1min\nStartLimitBurst=3", "Restart=always\nRestartSec=10s"))).toBe(true);
    expect(startLimitCanTrip(unit("", ""))).toBe(false);
  });
});
