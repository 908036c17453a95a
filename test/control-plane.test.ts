// What a demanding operator requires of the API server and its neighbours, checked by the rules
// their consumers apply (no API server runs here, so where only one could prove a point the rule
// is re-stated from upstream and said so):
// - Secrets at rest: secretbox wants exactly 32 bytes; every master must hold the same key (any
//   API server reads what another wrote), it must survive re-rendering (a replaced master), and
//   `identity` must come last (Secrets written before stay readable).
// - anonymous requests only on the health paths (the anonymous authenticator's exact-path
//   conditions), and every health check that Slipway configures (haproxy, Octavia, the NLB, the
//   kubelet's probes) uses one of them.
// - the audit policy, evaluated by the API server's first-matching-rule order.
// - the controller-manager and scheduler as non-root users: the kernel (setpriv as that user)
//   decides that they read every file they are pointed at, and not the API server's etcd key.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderNode } from "../bootstrap/render";
import { awsCluster, bakedDemoCluster, demoCluster, synthJson, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { runKubeCerts } from "./helpers/kube-certs";
import { NodeRoot } from "./helpers/node-root";

const work = tmp("slipway-cp-");
afterAll(() => work.cleanup());
const cluster = bakedDemoCluster();
const pkiDir = join(work.dir, "pki");
const roots: NodeRoot[] = [];

type Container = {
  command: string[];
  startupProbe?: { httpGet: { path: string } };
  livenessProbe?: { httpGet: { path: string } };
  volumeMounts: { mountPath: string; readOnly: boolean }[];
};
type PodJson = { spec: { securityContext: Record<string, unknown>; containers: Container[] } };
const pod = (root: NodeRoot, name: string) => JSON.parse(root.read(`/etc/kubernetes/manifests/${name}.json`)) as PodJson;
const flag = (p: PodJson, name: string) =>
  p.spec.containers[0]?.command.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) as string;
const json = (root: NodeRoot, path: string) => JSON.parse(root.read(path));

beforeAll(async () => {
  for (const m of cluster.plan.masters) {
    const root = new NodeRoot(join(work.dir, m.name));
    ignitionApply((await renderNode(cluster, { target: { role: "master", index: m.index }, pkiDir })).config, root.root);
    runKubeCerts(root);
    roots.push(root);
  }
});

describe("Secrets at rest", () => {
  const secretbox = (root: NodeRoot) => {
    const p = pod(root, "kube-apiserver");
    const c = json(root, flag(p, "encryption-provider-config"));
    expect(c).toMatchObject({ apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration" });
    const r = c.resources.find((x: { resources: string[] }) => x.resources.includes("secrets"));
    return r.providers as Record<string, { keys?: { name: string; secret: string }[] }>[];
  };

  it("every master encrypts with the same 32-byte secretbox key; Secrets written before stay readable", () => {
    const keys = roots.map((r) => secretbox(r));
    for (const providers of keys) {
      expect(Object.keys(providers[0] ?? {})).toEqual(["secretbox"]); // the first provider encrypts
      expect(Object.keys(providers.at(-1) ?? {})).toEqual(["identity"]); // the rest only decrypt
      const key = providers[0]?.secretbox?.keys?.[0]?.secret as string;
      expect(Buffer.from(key, "base64")).toHaveLength(32);
      expect(Buffer.from(key, "base64").toString("base64")).toBe(key);
    }
    expect(new Set(keys.map((p) => p[0]?.secretbox?.keys?.[0]?.secret)).size).toBe(1);
    expect(roots[0]?.read("/etc/kubernetes/apiserver/encryption.json")).toBeTruthy();
  });

  it("a master rendered again later (a replacement) gets the same key; the file is root's alone", async () => {
    const again = new NodeRoot(join(work.dir, "again"));
    ignitionApply((await renderNode(cluster, { target: { role: "master", index: 2 }, pkiDir })).config, again.root);
    expect(secretbox(again)[0]?.secretbox?.keys?.[0]?.secret).toBe(secretbox(roots[0] as NodeRoot)[0]?.secretbox?.keys?.[0]?.secret);
    const st = spawnSync("stat", ["-c", "%u %a", again.at("/etc/kubernetes/apiserver/encryption.json")], { encoding: "utf8" });
    expect(st.stdout.trim()).toBe("0 600");
  });

  it("on the Terraform path the key is 32 random bytes in state, never in the synthesized JSON", () => {
    const tf = synthJson(demoCluster());
    expect((tf.resource.random_bytes as Record<string, unknown>).secrets_key).toMatchObject({ length: 32 });
    const content = (tf.resource.openstack_objectstorage_object_v1 as Record<string, { content: string }>)["config_demo-master-0"]?.content;
    expect(content).toContain("random_bytes.secrets_key.base64");
  });
});

describe("anonymous access", () => {
  /** The anonymous authenticator: with conditions, a request is anonymous only if its path equals one. */
  const anonymous = (root: NodeRoot) => {
    const c = json(root, flag(pod(root, "kube-apiserver"), "authentication-config"));
    expect(c).toMatchObject({ apiVersion: "apiserver.config.k8s.io/v1", kind: "AuthenticationConfiguration" });
    expect(c.anonymous.enabled).toBe(true);
    const paths = (c.anonymous.conditions as { path: string }[]).map((x) => x.path);
    return (path: string) => paths.includes(path.split("?")[0] as string);
  };

  it("is allowed on the health paths only", () => {
    const allowed = anonymous(roots[0] as NodeRoot);
    for (const p of ["/livez", "/readyz", "/healthz", "/readyz?verbose"]) expect(allowed(p), p).toBe(true);
    for (const p of ["/api", "/apis", "/version", "/metrics", "/api/v1/secrets", "/openapi/v3", "/livez/etcd", "/"])
      expect(allowed(p), p).toBe(false);
    // --anonymous-auth may not be set beside an authentication config: the API server refuses both
    expect(pod(roots[0] as NodeRoot, "kube-apiserver").spec.containers[0]?.command.some((a) => a.startsWith("--anonymous-auth"))).toBe(
      false,
    );
  });

  it("covers every health check Slipway configures: the local haproxy, Octavia, the NLB, the kubelet's probes", () => {
    const allowed = anonymous(roots[0] as NodeRoot);
    const haproxy = /option httpchk GET (\S+)/.exec(roots[0]?.read("/etc/slipway/api-lb.cfg") ?? "")?.[1] as string;
    const os = synthJson(demoCluster([[["openstack", "apiLoadBalancer"], {}]]));
    const octavia = Object.values(os.resource.openstack_lb_monitor_v2 as Record<string, { url_path: string }>).map((m) => m.url_path);
    const aws = synthJson(awsCluster([[["aws", "apiLoadBalancer"], true]]));
    const nlb = Object.values(aws.resource.aws_lb_target_group as Record<string, { health_check: { path: string } }>).map(
      (t) => t.health_check.path,
    );
    const probes = pod(roots[0] as NodeRoot, "kube-apiserver").spec.containers.flatMap((c) =>
      [c.startupProbe, c.livenessProbe].map((p) => p?.httpGet.path),
    );
    const checks = [haproxy, ...octavia, ...nlb, ...probes];
    expect(checks.length).toBeGreaterThanOrEqual(5);
    for (const c of checks) expect(allowed(c as string), c).toBe(true);
  });
});

describe("audit", () => {
  type Rule = {
    level: string;
    users?: string[];
    userGroups?: string[];
    verbs?: string[];
    resources?: { group: string; resources: string[] }[];
    nonResourceURLs?: string[];
  };
  type Req = { user: string; groups: string[]; verb: string; group?: string; resource?: string; path?: string };
  /** The API server's policy evaluation: the first rule all of whose given fields match decides. */
  const level = (rules: Rule[], r: Req) => {
    for (const rule of rules) {
      if (rule.users && !rule.users.includes(r.user)) continue;
      if (rule.userGroups && !rule.userGroups.some((g) => r.groups.includes(g))) continue;
      if (rule.verbs && !rule.verbs.includes(r.verb)) continue;
      if (
        rule.resources &&
        !(r.resource !== undefined && rule.resources.some((g) => g.group === r.group && g.resources.includes(r.resource as string)))
      )
        continue;
      if (
        rule.nonResourceURLs &&
        !(r.path && rule.nonResourceURLs.some((u) => (u.endsWith("*") ? r.path?.startsWith(u.slice(0, -1)) : r.path === u)))
      )
        continue;
      return rule.level;
    }
    return "None";
  };
  const admin = { user: "slipway-admin", groups: ["slipway:cluster-admins", "system:authenticated"] };

  it("logs changes with their request, never the body of a Secret, ConfigMap or token, and not health checks, leases or events", () => {
    const root = roots[0] as NodeRoot;
    const p = pod(root, "kube-apiserver");
    const policy = json(root, flag(p, "audit-policy-file"));
    expect(policy).toMatchObject({ apiVersion: "audit.k8s.io/v1", kind: "Policy", omitStages: ["RequestReceived"] });
    const rules = policy.rules as Rule[];
    const cases: [Req, string][] = [
      [{ ...admin, verb: "create", group: "", resource: "secrets" }, "Metadata"],
      [{ ...admin, verb: "get", group: "", resource: "secrets" }, "Metadata"],
      [{ ...admin, verb: "update", group: "", resource: "configmaps" }, "Metadata"],
      [{ ...admin, verb: "create", group: "", resource: "serviceaccounts/token" }, "Metadata"],
      [
        { user: "system:kube-controller-manager", groups: [], verb: "create", group: "authentication.k8s.io", resource: "tokenreviews" },
        "Metadata",
      ],
      [{ ...admin, verb: "patch", group: "apps", resource: "deployments" }, "Request"],
      [{ ...admin, verb: "delete", group: "", resource: "pods" }, "Request"],
      [{ ...admin, verb: "list", group: "", resource: "pods" }, "Metadata"],
      [
        { user: "system:node:demo-general-0", groups: ["system:nodes"], verb: "update", group: "coordination.k8s.io", resource: "leases" },
        "None",
      ],
      [{ user: "system:node:demo-general-0", groups: ["system:nodes"], verb: "watch", group: "", resource: "pods" }, "None"],
      [{ user: "system:anonymous", groups: ["system:unauthenticated"], verb: "get", path: "/readyz" }, "None"],
      [{ ...admin, verb: "create", group: "", resource: "events" }, "None"],
    ];
    for (const [r, want] of cases) expect(level(rules, r), JSON.stringify(r)).toBe(want);
    // no rule ever logs bodies of responses (RequestResponse would write Secrets' contents)
    expect(rules.map((r) => r.level)).not.toContain("RequestResponse");
  });

  it("writes to a mounted, writable directory on the machine and rotates by age, count and size", () => {
    const root = roots[0] as NodeRoot;
    const p = pod(root, "kube-apiserver");
    const log = flag(p, "audit-log-path");
    const dir = log.slice(0, log.lastIndexOf("/"));
    expect(statSync(root.at(dir)).isDirectory()).toBe(true);
    const mount = p.spec.containers[0]?.volumeMounts.find((m) => m.mountPath === dir);
    expect(mount).toMatchObject({ readOnly: false });
    // every other mount stays read-only
    expect(p.spec.containers[0]?.volumeMounts.filter((m) => !m.readOnly).map((m) => m.mountPath)).toEqual([dir]);
    expect(flag(p, "audit-log-maxage")).toBe(String(cluster.config.kubernetes.auditLogDays));
    expect(Number(flag(p, "audit-log-maxbackup"))).toBeGreaterThan(0);
    expect(Number(flag(p, "audit-log-maxsize"))).toBeGreaterThan(0);
  });
});

describe("PodSecurity admission", () => {
  const defaults = (root: NodeRoot) => {
    const c = json(root, flag(pod(root, "kube-apiserver"), "admission-control-config-file"));
    const ps = (
      c.plugins as { name: string; configuration: { defaults: Record<string, string>; exemptions: { namespaces: string[] } } }[]
    ).find((x) => x.name === "PodSecurity");
    return ps?.configuration;
  };

  it("enforces baseline by default (kube-system exempt: kube-proxy is privileged) and warns against restricted", () => {
    const c = defaults(roots[0] as NodeRoot);
    expect(c?.defaults).toMatchObject({ enforce: "baseline", warn: "restricted", audit: "restricted" });
    expect(c?.exemptions.namespaces).toEqual(["kube-system"]);
    const ds = (
      parse(roots[0]?.read("/etc/kubernetes/bootstrap/30-kube-proxy.json") ?? "{}").items as {
        kind: string;
        metadata: { namespace: string };
      }[]
    ).find((o) => o.kind === "DaemonSet");
    expect(ds?.metadata.namespace).toBe("kube-system");
  });

  it("takes kubernetes.podSecurity", async () => {
    const strict = bakedDemoCluster([[["kubernetes", "podSecurity"], "restricted"]]);
    const root = new NodeRoot(join(work.dir, "strict"));
    ignitionApply(
      (await renderNode(strict, { target: { role: "master", index: 0 }, pkiDir: join(work.dir, "pki-strict") })).config,
      root.root,
    );
    expect(defaults(root)?.defaults.enforce).toBe("restricted");
  });
});

describe("the controller-manager and the scheduler run as users of their own", () => {
  /** Can `uid` read `path` in this tree? The kernel answers: cat as that user, no groups. */
  const canRead = (uid: number, path: string) =>
    spawnSync("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--", "cat", path], { stdio: "ignore" }).status === 0;

  for (const name of ["kube-controller-manager", "kube-scheduler"]) {
    it(`${name}: non-root, no privileges, and reads every file its flags and kubeconfig name, and not the API server's etcd key`, () => {
      const root = roots[1] as NodeRoot;
      const p = pod(root, name);
      const uid = p.spec.securityContext.runAsUser as number;
      expect(uid).toBeGreaterThan(0);
      expect(p.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsGroup: uid, seccompProfile: { type: "RuntimeDefault" } });
      const files = new Set<string>();
      for (const a of p.spec.containers[0]?.command ?? []) {
        const v = /^--[a-z-]+=(\/.+)$/.exec(a)?.[1];
        if (v) files.add(v);
      }
      const kc = parse(root.read(flag(p, "kubeconfig")));
      files.add(kc.clusters[0].cluster["certificate-authority"]);
      files.add(kc.users[0].user["client-certificate"]);
      files.add(kc.users[0].user["client-key"]);
      expect(files.size).toBeGreaterThanOrEqual(4);
      for (const f of files) expect(canRead(uid, root.at(f)), `${name} (uid ${uid}) reads ${f}`).toBe(true);
      expect(canRead(uid, root.at("/etc/kubernetes/pki/apiserver-etcd-client.key"))).toBe(false);
      expect(canRead(uid, root.at("/etc/kubernetes/apiserver/encryption.json"))).toBe(false);
    });
  }

  it("keeps its keys' owner across a renewal", () => {
    const root = roots[1] as NodeRoot;
    const key = root.at("/etc/kubernetes/pki/scheduler.key");
    const uid = pod(root, "kube-scheduler").spec.securityContext.runAsUser as number;
    // a key that lost its owner (an older master's) is given back; a renewed one is issued to it
    spawnSync("chown", ["0:0", key]);
    runKubeCerts(root, "kube-certs-renew.service");
    expect(spawnSync("stat", ["-c", "%u %a", key], { encoding: "utf8" }).stdout.trim()).toBe(`${uid} 600`);
  });
});
