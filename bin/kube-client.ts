// The few Kubernetes API calls the day-two commands make (cordon, drain, wait for Ready, delete a
// Node), straight over HTTPS with a kubeconfig's server, CA and client certificate or token — the
// admin kubeconfig the stack outputs (`terraform output -raw admin_kubeconfig`). No kubectl needed.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { parse } from "yaml";
import { printable } from "../clusters/model/errors";
import { UserError } from "./errors";

interface Kubeconfig {
  "current-context"?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; "certificate-authority-data"?: string } }[];
  users?: { name: string; user: { "client-certificate-data"?: string; "client-key-data"?: string; token?: string } }[];
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

export class KubeClient {
  private constructor(
    private readonly server: URL,
    private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer },
    private readonly token: string | undefined,
  ) {}

  static fromFile(file: string): KubeClient {
    let kc: Kubeconfig;
    try {
      kc = parse(readFileSync(file, "utf8")) as Kubeconfig;
    } catch (e) {
      throw new UserError(`${printable(file)}: cannot read the kubeconfig (${(e as Error).message.split("\n")[0]})`);
    }
    const ctx = kc?.contexts?.find((c) => c.name === kc["current-context"]) ?? kc?.contexts?.[0];
    const cluster = kc?.clusters?.find((c) => c.name === ctx?.context.cluster) ?? kc?.clusters?.[0];
    const user = kc?.users?.find((u) => u.name === ctx?.context.user) ?? kc?.users?.[0];
    if (!cluster?.cluster?.server) throw new UserError(`${printable(file)}: no cluster with a server in this kubeconfig`);
    const b64 = (s?: string) => (s ? Buffer.from(s, "base64") : undefined);
    return new KubeClient(
      new URL(cluster.cluster.server),
      {
        ca: b64(cluster.cluster["certificate-authority-data"]),
        cert: b64(user?.user["client-certificate-data"]),
        key: b64(user?.user["client-key-data"]),
      },
      user?.user.token,
    );
  }

  call(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.server.hostname,
          port: this.server.port || 443,
          path,
          method,
          ...this.tls,
          headers: {
            accept: "application/json",
            ...(data ? { "content-type": contentType, "content-length": data.length } : {}),
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          timeout: 30_000,
          agent: false,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {}
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer within 30 s")));
      req.on("error", (e) =>
        reject(new UserError(`the Kubernetes API at ${this.server.host}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)),
      );
      req.end(data);
    });
  }

  /** A call that must succeed; the API's own message otherwise. */
  async must(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const r = await this.call(method, path, body, contentType);
    if (r.status >= 200 && r.status < 300) return r.body;
    const message = (r.body as { message?: string })?.message ?? String(r.body).slice(0, 200);
    throw new UserError(`the Kubernetes API refused ${method} ${path}: HTTP ${r.status} ${printable(message)}`);
  }
}

interface Pod {
  metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string>; ownerReferences?: { kind: string }[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cordon, then evict every pod but DaemonSets' and static ones, as `kubectl drain` does; PodDisruptionBudgets are obeyed (429: try again) until `timeoutS`. */
export async function drainNode(kube: KubeClient, node: string, timeoutS: number, log: (s: string) => void): Promise<void> {
  await setUnschedulable(kube, node, true);
  const deadline = Date.now() + timeoutS * 1000;
  const list = (await kube.must("GET", `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`)) as { items: Pod[] };
  const pods = list.items.filter(
    (p) => !p.metadata.ownerReferences?.some((o) => o.kind === "DaemonSet") && !p.metadata.annotations?.["kubernetes.io/config.mirror"],
  );
  for (const p of pods) {
    const path = `/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace)}/pods/${encodeURIComponent(p.metadata.name)}`;
    for (;;) {
      const r = await kube.call("POST", `${path}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
      });
      if (r.status === 201 || r.status === 200 || r.status === 404) break;
      if (r.status !== 429) throw new UserError(`evicting ${p.metadata.namespace}/${p.metadata.name} from ${node}: HTTP ${r.status}`);
      if (Date.now() > deadline)
        throw new UserError(
          `${node}: ${p.metadata.namespace}/${p.metadata.name} cannot be evicted within ${timeoutS} s (a PodDisruptionBudget allows no disruption); the node stays cordoned`,
        );
      await sleep(2000);
    }
    log(`  evicted ${p.metadata.namespace}/${p.metadata.name}`);
  }
  // gone, or a new pod of the same name (another uid)
  for (const p of pods)
    for (;;) {
      const r = await kube.call(
        "GET",
        `/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace)}/pods/${encodeURIComponent(p.metadata.name)}`,
      );
      if (r.status === 404 || (r.body as Pod)?.metadata?.uid !== p.metadata.uid) break;
      if (Date.now() > deadline)
        throw new UserError(`${node}: ${p.metadata.namespace}/${p.metadata.name} did not end within ${timeoutS} s`);
      await sleep(1000);
    }
}

export async function setUnschedulable(kube: KubeClient, node: string, on: boolean): Promise<void> {
  await kube.must("PATCH", `/api/v1/nodes/${node}`, { spec: { unschedulable: on ? true : null } }, "application/merge-patch+json");
}

/** The Node's Ready condition ("Ready", "NotReady", or "missing": no Node object) and its machine's boot id. */
export async function nodeState(kube: KubeClient, node: string): Promise<{ ready: string; bootId?: string }> {
  const r = await kube.call("GET", `/api/v1/nodes/${node}`);
  if (r.status === 404) return { ready: "missing" };
  if (r.status !== 200) throw new UserError(`reading node ${node}: HTTP ${r.status}`);
  const status = (r.body as { status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { bootID?: string } } }).status;
  const ready = status?.conditions?.find((c) => c.type === "Ready")?.status === "True" ? "Ready" : "NotReady";
  return { ready, bootId: status?.nodeInfo?.bootID };
}

/** The Node object of a machine that is gone (the cloud controller may have removed it already). */
export async function deleteNode(kube: KubeClient, node: string): Promise<void> {
  const r = await kube.call("DELETE", `/api/v1/nodes/${node}`);
  if (r.status !== 404 && (r.status < 200 || r.status >= 300)) throw new UserError(`deleting node ${node}: HTTP ${r.status}`);
}
