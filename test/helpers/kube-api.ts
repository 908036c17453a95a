// A local stand-in for the few Kubernetes API calls a drain makes (no API server runs here), on
// 127.0.0.1 with mutual TLS from a test CA, written from the API reference: Nodes (get, merge
// patch of spec.unschedulable, list with each kubelet's version), Pods (list by spec.nodeName field selector, get), and the
// policy/v1 Eviction subresource — 201 when the pod may go, 429 when a PodDisruptionBudget allows
// no disruption (the answer kubectl drain retries on) — with Status objects for errors. A Node's
// machine "boots" when a file booted-<name> appears or changes: a new boot id, NotReady for
// `bootSeconds`, then Ready — as a replaced machine's kubelet re-registers the same Node.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { DEFAULT_KUBERNETES_VERSION } from "../../clusters/model/releases";
import { caSigned, testCa } from "./test-ca";

export interface StandInPod {
  namespace: string;
  name: string;
  node: string;
  owner?: string;
  mirror?: boolean;
}

export interface KubeApiStandIn {
  url: string;
  /** ns/name of pods a PodDisruptionBudget protects (eviction: 429) */
  protectedPods: Set<string>;
  pods: (StandInPod & { uid: string })[];
  /** "evict ns/name" and "boot node" in the order they happened */
  events: string[];
  unschedulable(node: string): boolean;
  /** the kubelet version a node reports (status.nodeInfo.kubeletVersion) */
  kubelets: Map<string, string>;
  close(): Promise<void>;
}

export async function kubeApiStandIn(opts: {
  tls: { key: string; cert: string; ca: string };
  nodes: string[];
  pods: StandInPod[];
  /** every node's kubelet version unless `kubelets` says otherwise */
  kubelet?: string;
  /** labels, spec.providerID and metadata.creationTimestamp of nodes, by name */
  nodeMeta?: Record<string, { labels?: Record<string, string>; providerID?: string; created?: string }>;
  /** where booted-<node> files appear */
  bootDir: string;
  bootSeconds: number;
}): Promise<KubeApiStandIn> {
  const nodes = new Map(opts.nodes.map((n) => [n, { bootId: randomUUID(), readyAt: 0, seen: 0, unschedulable: false }]));
  const state: KubeApiStandIn = {
    url: "",
    protectedPods: new Set(),
    pods: opts.pods.map((p) => ({ ...p, uid: randomUUID() })),
    events: [],
    unschedulable: (n) => nodes.get(n)?.unschedulable ?? false,
    kubelets: new Map(),
    close: () => new Promise((res) => server.close(() => res())),
  };
  const bootMark = (name: string) => {
    const file = join(opts.bootDir, `booted-${name}`);
    return existsSync(file) ? statSync(file).mtimeMs + Number(readFileSync(file, "utf8") || 0) : 0;
  };
  // the machines as they are now have booted already
  for (const [name, n] of nodes) n.seen = bootMark(name);
  const boot = (name: string) => {
    const n = nodes.get(name);
    const t = bootMark(name);
    if (!n || t === n.seen) return;
    n.seen = t;
    n.bootId = randomUUID();
    n.readyAt = Date.now() + opts.bootSeconds * 1000;
    state.events.push(`boot ${name}`);
  };
  const statusOf = (code: number, message: string) => ({
    kind: "Status",
    apiVersion: "v1",
    status: code < 400 ? "Success" : "Failure",
    message,
    code,
  });
  const podJson = (p: StandInPod & { uid: string }) => ({
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: p.uid,
      ...(p.owner ? { ownerReferences: [{ kind: p.owner, name: "x", apiVersion: "apps/v1", uid: "u" }] } : {}),
      ...(p.mirror ? { annotations: { "kubernetes.io/config.mirror": "hash" } } : {}),
    },
    spec: { nodeName: p.node },
  });

  const nodeJson = (name: string, n: typeof nodes extends Map<string, infer N> ? N : never) => ({
    kind: "Node",
    apiVersion: "v1",
    metadata: {
      name,
      labels: opts.nodeMeta?.[name]?.labels ?? {},
      ...(opts.nodeMeta?.[name]?.created ? { creationTimestamp: opts.nodeMeta[name].created } : {}),
    },
    spec: {
      ...(n.unschedulable ? { unschedulable: true } : {}),
      ...(opts.nodeMeta?.[name]?.providerID ? { providerID: opts.nodeMeta[name].providerID } : {}),
    },
    status: {
      conditions: [{ type: "Ready", status: Date.now() >= n.readyAt ? "True" : "False" }],
      nodeInfo: { bootID: n.bootId, kubeletVersion: state.kubelets.get(name) ?? opts.kubelet ?? `v${DEFAULT_KUBERNETES_VERSION}` },
    },
  });

  const server: Server = createServer(
    { key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      let raw = "";
      req.on("data", (d) => (raw += d));
      req.on("end", () => {
        const send = (code: number, body: unknown) => {
          res.writeHead(code, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const path = url.pathname.split("/").filter(Boolean);
        for (const n of nodes.keys()) boot(n);
        // /api/v1/nodes/NAME
        if (path[2] === "nodes" && path[3]) {
          const n = nodes.get(path[3]);
          if (!n) return send(404, statusOf(404, `nodes "${path[3]}" not found`));
          if (req.method === "DELETE") {
            nodes.delete(path[3]);
            state.events.push(`delete node ${path[3]}`);
            return send(200, { kind: "Node", apiVersion: "v1", metadata: { name: path[3] } });
          }
          if (req.method === "PATCH") {
            if (req.headers["content-type"] !== "application/merge-patch+json") return send(415, statusOf(415, "unsupported media type"));
            const spec = (JSON.parse(raw) as { spec?: { unschedulable?: boolean | null } }).spec;
            if (spec && "unschedulable" in spec) n.unschedulable = spec.unschedulable === true;
          } else if (req.method !== "GET") return send(405, statusOf(405, "method not allowed"));
          return send(200, nodeJson(path[3], n));
        }
        // /api/v1/nodes
        if (path[2] === "nodes" && !path[3] && req.method === "GET") {
          // labelSelector: one key=value, as the callers use it
          const sel = url.searchParams.get("labelSelector");
          const [k, v] = sel ? sel.split("=") : [];
          const items = [...nodes]
            .filter(([name]) => !sel || opts.nodeMeta?.[name]?.labels?.[k as string] === v)
            .map(([name, n]) => nodeJson(name, n));
          return send(200, { kind: "NodeList", apiVersion: "v1", items });
        }
        // /api/v1/pods?fieldSelector=spec.nodeName=X
        if (path[2] === "pods" && req.method === "GET") {
          const selector = url.searchParams.get("fieldSelector") ?? "";
          const m = /^spec\.nodeName=(.+)$/.exec(selector);
          if (!m) return send(400, statusOf(400, `unsupported field selector ${selector}`));
          return send(200, { kind: "PodList", items: state.pods.filter((p) => p.node === m[1]).map(podJson) });
        }
        // /api/v1/namespaces/NS/pods/NAME[/eviction]
        if (path[2] === "namespaces" && path[4] === "pods" && path[5]) {
          const key = `${path[3]}/${path[5]}`;
          const pod = state.pods.find((p) => `${p.namespace}/${p.name}` === key);
          if (!pod) return send(404, statusOf(404, `pods "${path[5]}" not found`));
          if (path[6] === "eviction" && req.method === "POST") {
            const body = JSON.parse(raw) as { apiVersion?: string; kind?: string };
            if (body.apiVersion !== "policy/v1" || body.kind !== "Eviction") return send(400, statusOf(400, "not a policy/v1 Eviction"));
            if (state.protectedPods.has(key))
              return send(429, statusOf(429, "Cannot evict pod as it would violate the pod's disruption budget."));
            state.pods.splice(state.pods.indexOf(pod), 1);
            state.events.push(`evict ${key}`);
            return send(201, statusOf(201, "evicted"));
          }
          if (req.method === "GET" && !path[6]) return send(200, podJson(pod));
        }
        send(404, statusOf(404, "the server could not find the requested resource"));
      });
    },
  );
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

export interface KubePki {
  /** the stand-in's server side: its key and certificate, and the CA its clients must have */
  tls: { key: string; cert: string; ca: string };
  dir: string;
}

/** A CA, the stand-in's certificate (127.0.0.1) and an admin client certificate, in `dir`. */
export function kubeApiPki(dir: string): KubePki {
  const ca = testCa(dir);
  caSigned(dir, "admin", "/O=slipway:admins/CN=admin", "extendedKeyUsage=clientAuth");
  return {
    tls: { key: readFileSync(ca.keyFile, "utf8"), cert: readFileSync(ca.certFile, "utf8"), ca: readFileSync(ca.caFile, "utf8") },
    dir,
  };
}

/** A kubeconfig as `terraform output -raw admin_kubeconfig` writes one: CA and client certificate embedded. */
export function writeKubeconfig(file: string, url: string, pki: KubePki): string {
  const b64 = (f: string) => readFileSync(join(pki.dir, f)).toString("base64");
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "admin@demo",
      contexts: [{ name: "admin@demo", context: { cluster: "demo", user: "admin" } }],
      clusters: [{ name: "demo", cluster: { server: url, "certificate-authority-data": b64("ca.crt") } }],
      users: [{ name: "admin", user: { "client-certificate-data": b64("admin.crt"), "client-key-data": b64("admin.key") } }],
    }),
  );
  return file;
}
