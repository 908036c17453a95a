// Kubernetes on the nodes: a 3-master demo renders complete master and worker configs (applied
// with the real ignition binary) whose every referenced file, certificate and address is
// consistent — static pods as typed Pod objects, kubeconfigs pointing at the local API load
// balancer, certificates that verify and carry the names and usages they need.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Pod } from "kubernetes-models/v1/Pod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderNode } from "../bootstrap/render";
import { imageRef, type KubeComponent, kubeImage } from "../bootstrap/versions";
import { bakedDemoCluster, tmp } from "./helpers/clusters";
import { ignitionApply, ignitionValidate, requireTool } from "./helpers/ignition";
import { runKubeCerts } from "./helpers/kube-certs";
import { NodeRoot } from "./helpers/node-root";

const work = tmp("slipway-kube-");
afterAll(() => work.cleanup());

const cluster = bakedDemoCluster();
const PUBLIC = ["198.51.100.10", "198.51.100.11", "198.51.100.12"];
const roots: Record<string, NodeRoot> = {};
const configs: Record<string, string> = {};

const openssl = (args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });
const certText = (file: string) => openssl(["x509", "-noout", "-text", "-in", file]).stdout;
const subject = (file: string) =>
  openssl(["x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", file])
    .stdout.trim()
    .replace(/^subject=/, "");
const pubOfCert = (file: string) => openssl(["x509", "-noout", "-pubkey", "-in", file]).stdout;
const pubOfKey = (file: string) => openssl(["pkey", "-pubout", "-in", file]).stdout;

beforeAll(async () => {
  const pkiDir = join(work.dir, "pki");
  const targets = [
    ...cluster.plan.masters.map((m) => [m.name, { role: "master" as const, index: m.index }, 0] as const),
    ["demo-general-0", { role: "worker" as const, pool: "general" }, 0] as const,
    ["demo-general-3", { role: "worker" as const, pool: "general" }, 3] as const,
    ["demo-logging-0", { role: "worker" as const, pool: "logging" }, 0] as const,
  ];
  for (const [name, target, index] of targets) {
    const r = await renderNode(cluster, { target, index, pkiDir, publicAddresses: PUBLIC });
    configs[name] = r.config;
    const root = new NodeRoot(join(work.dir, name));
    ignitionApply(r.config, root.root);
    // the master issues its control-plane certificates before its kubelet starts
    if (target.role === "master") runKubeCerts(root);
    roots[name] = root;
  }
});

describe("masters (3-master demo)", () => {
  for (const m of cluster.plan.masters) {
    describe(m.name, () => {
      const root = () => roots[m.name] as NodeRoot;

      it("passes ignition-validate with no output", () => {
        expect(ignitionValidate(configs[m.name] ?? "")).toEqual({ ok: true, output: "" });
      });

      it("runs the control plane as valid static pods whose flags name files that exist", () => {
        const dir = root().at("/etc/kubernetes/manifests");
        const files = readdirSync(dir).sort();
        expect(files).toEqual(["kube-apiserver.json", "kube-controller-manager.json", "kube-scheduler.json"]);
        for (const f of files) {
          const pod = new Pod(JSON.parse(readFileSync(join(dir, f), "utf8")));
          pod.validate();
          expect(pod.spec?.hostNetwork).toBe(true);
          const c = pod.spec?.containers[0];
          expect(c?.image).toBe(imageRef(kubeImage(f.replace(".json", "") as KubeComponent, cluster.config.kubernetes.version)));
          // every path a flag names is written on the machine, and mounted into the pod
          const mounts = (c?.volumeMounts ?? []).map((v) => v.mountPath);
          for (const arg of c?.command ?? []) {
            const value = /^--[a-z-]+=(\/.+)$/.exec(arg)?.[1];
            if (!value) continue;
            // what the component writes itself (its audit log) needs its directory
            const written = arg.startsWith("--audit-log-path=");
            expect(existsSync(root().at(written ? value.slice(0, value.lastIndexOf("/")) : value)), `${f}: ${arg}`).toBe(true);
            expect(
              mounts.some((mp) => value === mp || value.startsWith(`${mp}/`)),
              `${f}: ${arg} is mounted`,
            ).toBe(true);
          }
          for (const v of pod.spec?.volumes ?? [])
            if (v.hostPath && !v.hostPath.path.startsWith("/etc/ssl/certs"))
              expect(existsSync(root().at(v.hostPath.path)), v.hostPath.path).toBe(true);
        }
      });

      it("points the API server at every etcd member directly, with a client certificate the members' CA signed", () => {
        const pod = new Pod(JSON.parse(root().read("/etc/kubernetes/manifests/kube-apiserver.json")));
        const args = pod.spec?.containers[0]?.command ?? [];
        const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? "";
        // not through the local grpc-proxy: one process fewer between the control plane and its
        // store, and the API server's own client balances and fails over across the members
        expect(flag("etcd-servers")).toBe(cluster.plan.etcd.map((e) => `https://${e.ip}:2379`).join(","));
        expect(flag("authorization-mode")).toBe("Node,RBAC");
        expect(flag("advertise-address")).toBe(m.ip);
        expect(flag("service-cluster-ip-range")).toBe(cluster.config.network.services);
        // the members trust the etcd CA; the API server's etcd client certificate is signed by it
        const verify = openssl(["verify", "-CAfile", root().at(flag("etcd-cafile")), root().at(flag("etcd-certfile"))]);
        expect(verify.stdout.trim()).toMatch(/: OK$/);
        expect(certText(root().at(flag("etcd-certfile")))).toContain("TLS Web Client Authentication");
      });

      it("has certificates that match their keys, verify against their CA, and carry the names and usages they need", () => {
        const pki = (f: string) => root().at(`/etc/kubernetes/pki/${f}`);
        const pairs: [cert: string, key: string, ca: string, usage: "Server" | "Client", subject: RegExp][] = [
          ["apiserver.crt", "apiserver.key", "ca.crt", "Server", /^CN=kube-apiserver$/],
          ["apiserver-kubelet-client.crt", "apiserver-kubelet-client.key", "ca.crt", "Client", /^CN=kube-apiserver-kubelet-client$/],
          ["controller-manager.crt", "controller-manager.key", "ca.crt", "Client", /^CN=system:kube-controller-manager$/],
          ["scheduler.crt", "scheduler.key", "ca.crt", "Client", /^CN=system:kube-scheduler$/],
          // break-glass only, for the masters' own bootstrap work; the day-to-day admin is not on machines
          ["super-admin.crt", "super-admin.key", "ca.crt", "Client", /^CN=slipway-super-admin,O=system:masters$/],
          ["front-proxy-client.crt", "front-proxy-client.key", "front-proxy-ca.crt", "Client", /^CN=front-proxy-client$/],
        ];
        for (const [cert, key, ca, usage, subj] of pairs) {
          expect(pubOfCert(pki(cert)), `${cert} matches ${key}`).toBe(pubOfKey(pki(key)));
          expect(openssl(["verify", "-CAfile", pki(ca), pki(cert)]).stdout.trim(), cert).toBe(`${pki(cert)}: OK`);
          expect(certText(pki(cert)), cert).toContain(`TLS Web ${usage} Authentication`);
          expect(subject(pki(cert)), cert).toMatch(subj);
          expect(statSync(pki(key)).mode & 0o777, key).toBe(0o600);
        }
        expect(pubOfKey(pki("sa.key"))).toBe(readFileSync(pki("sa.pub"), "utf8"));
        expect(pubOfCert(pki("ca.crt"))).toBe(pubOfKey(pki("ca.key"))); // the controller-manager signs with it

        const san = openssl(["x509", "-noout", "-ext", "subjectAltName", "-in", pki("apiserver.crt")]).stdout;
        for (const name of [
          "kubernetes",
          "kubernetes.default",
          "kubernetes.default.svc",
          "kubernetes.default.svc.cluster.local",
          "localhost",
          m.name,
        ])
          expect(san).toContain(`DNS:${name},`);
        for (const ip of [m.ip, "127.0.0.1", cluster.plan.apiServiceIp, ...PUBLIC])
          expect(san).toMatch(new RegExp(`IP Address:${ip.replace(/\./g, "\\.")}(,|\\n)`));

        // the kubelet's own certificate: system:node:<name> in system:nodes, for the Node authorizer
        const kubelet = root().resolve("/var/lib/kubelet/pki/kubelet-client-current.pem");
        expect(subject(kubelet)).toBe(`CN=system:node:${m.name},O=system:nodes`);
        expect(pubOfCert(kubelet)).toBe(pubOfKey(kubelet));
        expect(openssl(["verify", "-CAfile", pki("ca.crt"), kubelet]).stdout.trim()).toBe(`${kubelet}: OK`);
      });

      it("gives every component a kubeconfig pointing at the local API load balancer", () => {
        for (const f of [
          "/etc/kubernetes/controller-manager.conf",
          "/etc/kubernetes/scheduler.conf",
          "/etc/kubernetes/super-admin.conf",
          "/var/lib/kubelet/kubeconfig",
        ]) {
          const kc = parse(root().read(f)) as {
            clusters: { cluster: { server: string; "certificate-authority": string } }[];
            users: { user: Record<string, string> }[];
            "current-context": string;
          };
          expect(kc.clusters[0]?.cluster.server, f).toBe("https://127.0.0.1:7443");
          for (const file of [
            kc.clusters[0]?.cluster["certificate-authority"],
            kc.users[0]?.user["client-certificate"],
            kc.users[0]?.user["client-key"],
          ])
            expect(existsSync(root().resolve(file ?? "")), `${f} names ${file}`).toBe(true);
          expect(statSync(root().at(f)).mode & 0o777).toBe(0o600);
        }
        // and the API server certificate is valid for that address
        expect(
          openssl(["x509", "-noout", "-checkip", "127.0.0.1", "-in", root().at("/etc/kubernetes/pki/apiserver.crt")]).stdout,
        ).toContain("does match");
      });

      it("runs kubelet with Webhook authorization, no anonymous access, systemd cgroups and cluster DNS", () => {
        const k = JSON.parse(root().read("/etc/kubernetes/kubelet.yaml"));
        expect(k).toMatchObject({
          kind: "KubeletConfiguration",
          authentication: {
            anonymous: { enabled: false },
            webhook: { enabled: true },
            x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
          },
          authorization: { mode: "Webhook" },
          cgroupDriver: "systemd",
          clusterDNS: [cluster.plan.dnsServiceIp],
          readOnlyPort: 0,
          staticPodPath: "/etc/kubernetes/manifests",
          shutdownGracePeriod: "60s",
        });
        expect(root().read("/etc/containerd/config.toml")).toMatch(/^SystemdCgroup = true$/m);
        const exec = root().unit("kubelet.service").execStart;
        expect(exec).toContain("--register-with-taints=node-role.kubernetes.io/control-plane=:NoSchedule");
        expect(exec.join(" ")).not.toContain("--bootstrap-kubeconfig");
        // the system extension's kubeadm drop-in would replace our ExecStart: it is masked
        expect(require("node:fs").readlinkSync(root().at("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"))).toBe("/dev/null");
      });

      it("balances the API locally over every master; the real haproxy accepts the config", () => {
        requireTool("/usr/sbin/haproxy", "haproxy");
        const cfg = root().read("/etc/slipway/api-lb.cfg");
        const servers = [...cfg.matchAll(/^\s+server (\S+) (\S+)$/gm)].map((x) => [x[1], x[2]]);
        expect(servers).toEqual(cluster.plan.masters.map((x) => [x.name, `${x.ip}:6443`]));
        expect(cfg).toContain("bind 127.0.0.1:7443");
        const check = spawnSync("haproxy", ["-c", "-f", root().at("/etc/slipway/api-lb.cfg")], { encoding: "utf8" });
        expect(check.status, check.stdout + check.stderr).toBe(0);
      });

      it("carries the bootstrap objects as valid Kubernetes objects; joining machines' certificates are not approved automatically", () => {
        const dir = root().at("/etc/kubernetes/bootstrap");
        const objects: { apiVersion: string; kind: string; metadata: { name: string } }[] = [];
        for (const f of readdirSync(dir).sort()) {
          const doc = JSON.parse(readFileSync(join(dir, f), "utf8"));
          objects.push(...(doc.kind === "List" ? doc.items : [doc]));
          expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
        }
        const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
        expect(kinds).toEqual(
          expect.arrayContaining([
            "ClusterRoleBinding/slipway:kubelet-bootstrap",
            "ClusterRoleBinding/slipway:node-autoapprove-certificate-rotation",
            "ClusterRoleBinding/slipway:cluster-admins",
            "ClusterRoleBinding/slipway:apiserver-kubelet-client",
            "DaemonSet/kube-proxy",
            "Deployment/coredns",
            "Service/kube-dns",
          ]),
        );
        for (const o of objects) {
          const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
          const mod = require(`kubernetes-models/${group ? `${group}/` : ""}${version}/${o.kind}`);
          new mod[o.kind](o).validate();
        }
        const dnsService = objects.find((o) => o.kind === "Service") as unknown as { spec: { clusterIP: string } };
        expect(dnsService.spec.clusterIP).toBe(cluster.plan.dnsServiceIp);
        // the tokens are join-tokens' (test/join.test.ts), never a file here
        expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
        // nothing lets a bootstrap token's holder have any node certificate it asks for: the
        // controller-manager approves a first client certificate only for subjects bound to nodeclient
        const bindings = objects.filter((o) => o.kind === "ClusterRoleBinding") as unknown as {
          roleRef: { name: string };
          subjects: { name: string }[];
        }[];
        expect(bindings.filter((b) => b.roleRef.name.endsWith(":nodeclient"))).toEqual([]);
        const admins = bindings.find((b) => b.roleRef.name === "cluster-admin");
        expect(admins?.subjects).toEqual([expect.objectContaining({ kind: "Group", name: "slipway:cluster-admins" })]);
      });
    });
  }
});

describe("workers", () => {
  it("join with the bootstrap token through the local load balancer, carrying no client certificate", () => {
    const root = roots["demo-general-0"] as NodeRoot;
    expect(ignitionValidate(configs["demo-general-0"] ?? "")).toEqual({ ok: true, output: "" });
    const kc = parse(root.read("/etc/kubernetes/bootstrap-kubeconfig"));
    expect(kc.clusters[0].cluster.server).toBe("https://127.0.0.1:7443");
    expect(kc.users[0].user.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(statSync(root.at("/etc/kubernetes/bootstrap-kubeconfig")).mode & 0o777).toBe(0o600);
    expect(existsSync(root.at("/etc/kubernetes/pki/ca.key"))).toBe(false);
    expect(existsSync(root.at("/var/lib/kubelet/pki"))).toBe(false);
    expect(existsSync(root.at("/etc/kubernetes/manifests/kube-apiserver.json"))).toBe(false);
    const exec = root.unit("kubelet.service").execStart;
    expect(exec).toEqual(
      expect.arrayContaining([
        "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubeconfig",
        "--kubeconfig=/var/lib/kubelet/kubeconfig",
        "--node-labels=slipway/role=worker,slipway/pool=general",
      ]),
    );
    expect(root.read("/etc/slipway/api-lb.cfg")).toBe(roots["demo-master-0"]?.read("/etc/slipway/api-lb.cfg"));
  });

  it("of one pool boot the same config except for their host name", () => {
    const a = JSON.parse(configs["demo-general-0"] ?? "");
    const b = JSON.parse(configs["demo-general-3"] ?? "");
    const differing = a.storage.files
      .filter((f: { path: string }, i: number) => JSON.stringify(f) !== JSON.stringify(b.storage.files[i]))
      .map((f: { path: string }) => f.path);
    expect(differing).toEqual(["/etc/hostname"]);
    expect(JSON.stringify(a.systemd)).toBe(JSON.stringify(b.systemd));
  });

  it("keep pods away from the metadata service and reboot one at a time per pool", () => {
    const root = roots["demo-logging-0"] as NodeRoot;
    expect(root.unit("block-metadata.service").execStart).toEqual([
      "/opt/slipway/bin/block-metadata",
      "10.244.0.0/16",
      "169.254.169.254/32",
    ]);
    // drained first by the masters (test/reboot.test.ts runs the protocol on real etcd)
    expect(root.envFile("/etc/slipway/reboot.env")).toEqual({
      REBOOT_GROUP: "pool-logging",
      REBOOT_DRAIN: "yes",
      DRAIN_PREFIX: "/slipway/drain",
    });
    expect(roots["demo-master-1"]?.envFile("/etc/slipway/reboot.env")).toMatchObject({ REBOOT_GROUP: "control", REBOOT_DRAIN: "yes" });
    expect(root.read("/etc/flatcar/update.conf")).toBe("REBOOT_STRATEGY=off\n");
    expect(require("node:fs").readlinkSync(root.at("/etc/systemd/system/locksmithd.service"))).toBe("/dev/null");
  });
});

// The resolv.conf the kubelet gives a pod (pkg/kubelet/network/dns: GetPodDNS): ClusterFirst —
// the default — means the cluster's DNS Service, unless the pod is on the host network, where it
// falls back to Default: the host file the kubelet's resolvConf names, as is.
type PodSpec = { dnsPolicy?: string; hostNetwork?: boolean; dnsConfig?: { nameservers?: string[] } };
function podNameservers(spec: PodSpec, kubelet: { clusterDNS: string[]; resolvConf: string }, hostFiles: Record<string, string>): string[] {
  const policy = spec.dnsPolicy ?? "ClusterFirst";
  const host = () => [...(hostFiles[kubelet.resolvConf] ?? "").matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1] as string).slice(0, 3);
  if (policy === "None") return spec.dnsConfig?.nameservers ?? [];
  if (policy === "Default") return host();
  if (policy === "ClusterFirstWithHostNet") return kubelet.clusterDNS;
  return spec.hostNetwork ? host() : kubelet.clusterDNS;
}

describe("cluster DNS", () => {
  // Flatcar's resolver files: /etc/resolv.conf is systemd-resolved's stub on 127.0.0.53; the
  // upstream servers it learnt from DHCP are in /run/systemd/resolve/resolv.conf.
  const FLATCAR = {
    "/etc/resolv.conf": "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n",
    "/run/systemd/resolve/resolv.conf": "nameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch openstacklocal\n",
  };
  const objects = () => {
    const dir = roots["demo-master-0"]?.at("/etc/kubernetes/bootstrap") as string;
    return readdirSync(dir).flatMap((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), "utf8"));
      return doc.kind === "List" ? doc.items : [doc];
    });
  };
  const kubelet = () => JSON.parse(roots["demo-general-0"]?.read("/etc/kubernetes/kubelet.yaml") ?? "");

  /** Where CoreDNS forwards what is not the cluster's: its `forward` targets, files read in its pod. */
  function upstreams(spec: PodSpec, k: { clusterDNS: string[]; resolvConf: string }): string[] {
    const corefile = objects().find((o) => o.kind === "ConfigMap" && o.metadata.name === "coredns").data.Corefile as string;
    const targets = /^\s*forward \. (.+)$/m.exec(corefile)?.[1]?.split(/\s+/) ?? [];
    // in the pod, /etc/resolv.conf is the file the kubelet wrote for it
    return targets.flatMap((t) => (t === "/etc/resolv.conf" ? podNameservers(spec, k, FLATCAR) : [t]));
  }
  /** What goes wrong with a forward target: itself (the loop plugin kills CoreDNS), or loopback
   *  (in the pod's network namespace that is CoreDNS itself, not the host's resolver). */
  const loops = (servers: string[]) =>
    servers.filter((s) => s === cluster.plan.dnsServiceIp || s.startsWith("127.")).concat(servers.length ? [] : ["(none)"]);

  it("CoreDNS forwards to the node's real upstream resolvers: never to itself, never to a loopback stub", () => {
    const coredns = objects().find((o) => o.kind === "Deployment" && o.metadata.name === "coredns").spec.template.spec as PodSpec;
    const k = kubelet();
    expect(k.clusterDNS).toEqual([cluster.plan.dnsServiceIp]);
    const servers = upstreams(coredns, k);
    expect(servers).toEqual(["10.0.0.2", "10.0.0.3"]);
    expect(loops(servers)).toEqual([]);
    // the rule has teeth: the kubelet's default pod policy, or the kubelet reading Flatcar's
    // /etc/resolv.conf, would each break cluster DNS
    expect(loops(upstreams({ ...coredns, dnsPolicy: undefined }, k))).toEqual([cluster.plan.dnsServiceIp]);
    expect(loops(upstreams(coredns, { ...k, resolvConf: "/etc/resolv.conf" }))).toEqual(["127.0.0.53"]);
  });

  it("ordinary pods resolve through the cluster DNS Service, host-network system pods through the node", () => {
    const k = kubelet();
    expect(podNameservers({}, k, FLATCAR)).toEqual([cluster.plan.dnsServiceIp]);
    for (const o of objects().filter((x) => x.kind === "DaemonSet" || x.kind === "Deployment")) {
      const spec = o.spec.template.spec as PodSpec;
      const servers = podNameservers(spec, k, FLATCAR);
      expect(servers.length, o.metadata.name).toBeGreaterThan(0);
      expect(
        servers.some((s) => s.startsWith("127.")),
        `${o.metadata.name} resolves through a loopback stub`,
      ).toBe(false);
    }
  });

  it("CoreDNS can run while every worker pool is scaled to 0: it tolerates the masters' taint, and a drain keeps one replica", () => {
    const d = objects().find((o) => o.kind === "Deployment" && o.metadata.name === "coredns");
    const taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };
    const tolerates = (t: { key?: string; operator?: string; effect?: string; value?: string }) =>
      (t.key === undefined || t.key === taint.key) &&
      (t.effect === undefined || t.effect === taint.effect) &&
      (t.operator === "Exists" || t.value === "");
    expect(d.spec.template.spec.tolerations.some(tolerates)).toBe(true);
    expect(roots["demo-master-0"]?.unit("kubelet.service").execStart).toContain(`--register-with-taints=${taint.key}=:${taint.effect}`);
    const pdb = objects().find((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === "coredns");
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    // with 2 replicas, maxUnavailable 1 leaves one serving through any voluntary eviction
    expect(d.spec.replicas - pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
  });
});
