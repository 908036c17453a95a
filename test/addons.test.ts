// The addon bundle, proved without a cluster (no Kubernetes and no chart repository can be reached
// here): every object Slipway generates is checked against the real schema its consumer applies —
// CRDs' openAPIV3Schema (ajv) for HelmChart, Gateway, HTTPRoute, NginxProxy and ClusterIssuer,
// kubernetes-models for core kinds, each chart's own values.schema.json for the values Helm gets —
// the Gateway API pins against the files of their commit, the apply order, and that no secret is
// in the bundle, the synthesized JSON or anything printed. CEL rules (x-kubernetes-validations)
// only an API server evaluates.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { addonBundle, type BundleFile, bundleText, fillSecrets } from "../bootstrap/addons/bundle";
import { addonImages } from "../bootstrap/addons/images";
import { secretPlaceholder } from "../bootstrap/addons/secrets";
import { GATEWAY_API, GATEWAY_API_FILES, gatewayApiFile } from "../bootstrap/addons/gateway-api";
import { renderNode } from "../bootstrap/render";
import { type AddonName, CHARTS, chartDefaults, mergeValues, valuesValidator } from "../clusters/model/addons";
import { chartPin } from "../clusters/model/addon-rules";
import { certSpecs } from "../bootstrap/pki/spec";
import type { Cluster } from "../clusters/model/load";
import {
  awsCluster,
  awsYaml,
  bakedDemoCluster,
  bakedDemoYaml,
  type Changes,
  demoCluster,
  demoYaml,
  ROOT,
  resourcesOf,
  synthJson,
  synthText,
  tmp,
} from "./helpers/clusters";
import { servedConfigFile, TF_ADDON_VALUES } from "./helpers/tf-values";
import { ignitionApply } from "./helpers/ignition";
import { slipway } from "./helpers/run";

const CRDS = join(ROOT, "test", "crds");
const GW_DIR = join(CRDS, `gateway-api-${GATEWAY_API.version}`);
const DNS: Changes = [[["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }]];

type Crd = { spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map<string, ReturnType<typeof ajv.compile>>();
function loadCrd(file: string): void {
  for (const d of parseAllDocuments(readFileSync(file, "utf8"))) {
    const crd = d.toJS() as Crd & { kind: string; spec: { group: string } };
    if (crd?.kind !== "CustomResourceDefinition") continue;
    for (const v of crd.spec.versions)
      crdValidators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(v.schema.openAPIV3Schema));
  }
}
for (const f of readdirSync(GW_DIR)) loadCrd(join(GW_DIR, f));
for (const f of [
  "helm-controller-v0.17.7_helmcharts.yaml",
  "nginx-gateway-fabric-2.6.7_nginxproxies.yaml",
  "cert-manager-v1.21.1_clusterissuers.yaml",
])
  loadCrd(join(CRDS, f));

/** Validates `o` against the CRD of its kind; the errors, or [] when it holds. */
function crdErrors(o: { apiVersion: string; kind: string; metadata?: object; spec?: unknown }): string[] {
  const v = crdValidators.get(`${o.apiVersion}/${o.kind}`);
  if (!v) throw new Error(`no CRD schema for ${o.apiVersion} ${o.kind}`);
  return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

type Item = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
} & Record<string, unknown>;
const itemsOf = (f: BundleFile): Item[] => (JSON.parse(bundleText(f)) as { items: Item[] }).items;
const allItems = (c: Cluster) => addonBundle(c).flatMap((f) => (f.objects ? itemsOf(f).map((i) => ({ file: f.name, ...i })) : []));
const helmCharts = (c: Cluster) => allItems(c).filter((i) => i.kind === "HelmChart");
const chartValues = (c: Cluster, name: string) =>
  parse(String(helmCharts(c).find((h) => h.metadata.name === name)?.spec?.valuesContent)) as Record<string, unknown>;

const sha512 = (file: string) => createHash("sha512").update(readFileSync(file)).digest("hex");

describe("addons: the Gateway API CRDs masters download", () => {
  it("every pin is the SHA-512 of that file at the release's commit, and every standard file is pinned", () => {
    expect(GATEWAY_API_FILES.map(([n]) => gatewayApiFile(n)).sort()).toEqual(readdirSync(GW_DIR).sort());
    for (const [name, pin] of GATEWAY_API_FILES) expect(sha512(join(GW_DIR, gatewayApiFile(name))), name).toBe(pin);
    for (const f of readdirSync(GW_DIR)) {
      const docs = parseAllDocuments(readFileSync(join(GW_DIR, f), "utf8")).map((d) => d.toJS() as Item);
      for (const d of docs.filter((x) => x?.kind === "CustomResourceDefinition"))
        expect(d.metadata.annotations?.["gateway.networking.k8s.io/bundle-version"]).toBe(GATEWAY_API.version);
    }
  });

  it("the real ignition binary writes them onto a master and checks their hashes (a changed byte is refused)", async () => {
    const t = tmp("slipway-addons-ign-");
    try {
      const cluster = bakedDemoCluster();
      const { config } = await renderNode(cluster, { target: { role: "master", index: 0 }, pkiDir: join(t.dir, "pki") });
      ignitionApply(config, join(t.dir, "root"));
      for (const [name] of GATEWAY_API_FILES)
        expect(readFileSync(join(t.dir, "root", "etc/kubernetes/addons", `00-gateway-api-${name}.yaml`))).toEqual(
          readFileSync(join(GW_DIR, gatewayApiFile(name))),
        );
      const tampered = JSON.parse(config) as { storage: { files: { path: string; contents: { verification?: { hash: string } } }[] } };
      const f = tampered.storage.files.find((x) => x.path.endsWith("00-gateway-api-gateways.yaml"));
      if (!f?.contents.verification) throw new Error("the gateways CRD is not pinned");
      f.contents.verification.hash = `sha512-${"0".repeat(128)}`;
      expect(() => ignitionApply(JSON.stringify(tampered), join(t.dir, "root2"))).toThrow(/hash|verification/i);
    } finally {
      t.cleanup();
    }
  });
});

/** Every observability addon on. */
const OBSERVABILITY: Changes = [
  [["addons", "monitoring"], true],
  [["addons", "logs"], true],
  [["addons", "dashboard"], true],
];
const OWN_UI_NAMES: Changes = [
  [["addons", "monitoring"], { grafana: "grafana.ops.example.org" }],
  [["addons", "dashboard"], { hostname: "kube.ops.example.org" }],
];

// The defaults of the charts that ship no values schema (test/chart-values/README.md), with their
// subcharts' values where those begin, the text (options a chart documents only in comments) and
// the maps whose keys are free (grafana.ini is Grafana's own configuration file)
const CHART_VALUES = join(ROOT, "test", "chart-values");
const chartText = (f: string) => readFileSync(join(CHART_VALUES, `${f}.values.yaml`), "utf8");
const chartYaml = (f: string) => parse(chartText(f)) as Record<string, unknown>;
interface KnownValues {
  defaults: Record<string, unknown>;
  text: string;
  free: string[];
}
const NO_SCHEMA: Record<"monitoring" | "logs", KnownValues> = {
  monitoring: {
    defaults: {
      ...chartYaml("kube-prometheus-stack-88.5.3"),
      grafana: mergeValues(chartYaml("grafana-12.11.1"), chartYaml("kube-prometheus-stack-88.5.3").grafana as Record<string, unknown>),
      "prometheus-node-exporter": chartYaml("prometheus-node-exporter-4.56.1"),
    },
    text: ["kube-prometheus-stack-88.5.3", "grafana-12.11.1", "prometheus-node-exporter-4.56.1"].map(chartText).join("\n"),
    free: ["grafana.grafana.ini"],
  },
  logs: { defaults: chartYaml("fluent-bit-0.58.1"), text: chartText("fluent-bit-0.58.1"), free: [] },
};

/**
 * The paths of `values` a chart does not know: neither in its defaults nor documented in a
 * comment of its values.yaml (`# key:`). A path may end where the defaults hold an empty map, a
 * list, null or a scalar (lists are replaced whole), or inside a free map.
 */
function unknownPaths(values: Record<string, unknown>, known: KnownValues, defaults = known.defaults, at: string[] = []): string[] {
  const out: string[] = [];
  const map = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  for (const [k, v] of Object.entries(values)) {
    const path = [...at, k];
    if (known.free.includes(path.join("."))) continue;
    if (!(k in defaults)) {
      const documented = new RegExp(`^\\s*#+\\s*${k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`, "m").test(known.text);
      if (Object.keys(defaults).length > 0 && !documented) out.push(path.join("."));
      continue;
    }
    const d = defaults[k];
    if (map(v) && map(d) && Object.keys(d).length > 0) out.push(...unknownPaths(v, known, d, path));
  }
  return out;
}

describe("addons: every generated object validates against its real schema", () => {
  const DEFAULT_CHARTS = ["cloud-controller", "storage", "tls", "ingress", "metrics-server"];
  const ALL_CHARTS = [...DEFAULT_CHARTS, "monitoring", "log-store", "logs", "dashboard"];
  for (const [label, cluster, charts] of [
    ["OpenStack demo", demoCluster(), DEFAULT_CHARTS],
    ["AWS demo", awsCluster(), DEFAULT_CHARTS],
    [
      "OpenStack demo with dns: and names of its own",
      demoCluster([...DNS, [["addons", "ingress", "hostnames"], ["shop.example.org"]]]),
      DEFAULT_CHARTS,
    ],
    ["OpenStack demo with dns: and every addon", demoCluster([...DNS, ...OBSERVABILITY]), ALL_CHARTS],
    ["AWS demo with every addon, the UIs at names of their own", awsCluster([...DNS, ...OBSERVABILITY, ...OWN_UI_NAMES]), ALL_CHARTS],
  ] as const)
    it(`${label}: HelmCharts, Gateway, routes, issuers, NginxProxy, core kinds, chart values`, () => {
      const items = allItems(cluster);
      expect(items.length).toBeGreaterThan(5);
      // core kinds: bundleText validated them with kubernetes-models; custom kinds here
      for (const i of items.filter((x) => !["v1", "apps/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1"].includes(x.apiVersion)))
        expect(crdErrors(i), `${i.kind} ${i.metadata.name}`).toEqual([]);
      expect(helmCharts(cluster).map((h) => h.metadata.name)).toEqual(charts.map((n) => `slipway-${n}`));
      for (const h of helmCharts(cluster)) {
        const name = h.metadata.name.replace(/^slipway-/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as AddonName;
        const pin = chartPin(cluster.config, name);
        expect(h.spec).toMatchObject({ chart: pin.chart, version: pin.version, targetNamespace: pin.namespace, failurePolicy: "abort" });
        const values = parse(String(h.spec?.valuesContent)) as Record<string, unknown>;
        if (pin.schema) {
          const v = valuesValidator(pin.schema);
          // as Helm checks them: over the chart's own values.yaml
          expect(v(mergeValues(chartDefaults(pin.schema), values)), JSON.stringify(v.errors)).toBe(true);
        } else if (name in NO_SCHEMA) {
          // no schema to check against: every path Slipway sets is one the chart knows
          expect(unknownPaths(values, NO_SCHEMA[name as keyof typeof NO_SCHEMA]), name).toEqual([]);
        }
      }
      // what NGF's chart renders from our values (templates/gateway.yaml, templates/nginxproxy.yaml)
      const ngf = chartValues(cluster, "slipway-ingress") as {
        nginx: { pod: unknown; container: unknown; service: unknown };
        gateways: { name: string; namespace: string; annotations?: Record<string, string>; spec: Record<string, unknown> }[];
      };
      const proxy = {
        apiVersion: "gateway.nginx.org/v1alpha2",
        kind: "NginxProxy",
        metadata: { name: "ngf-proxy-config", namespace: "nginx-gateway" },
        spec: {
          kubernetes: {
            daemonSet: {
              pod: ngf.nginx.pod,
              container: {
                ...(ngf.nginx.container as object),
                image: { repository: "ghcr.io/nginx/nginx-gateway-fabric/nginx", tag: "2.6.7" },
              },
            },
            service: ngf.nginx.service,
          },
        },
      };
      expect(crdErrors(proxy)).toEqual([]);
      expect(ngf.gateways).toHaveLength(1);
      for (const g of ngf.gateways)
        expect(
          crdErrors({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: g.name, namespace: g.namespace, ...(g.annotations ? { annotations: g.annotations } : {}) },
            spec: g.spec,
          }),
        ).toEqual([]);
    });

  it("a schema that could fail: a wrong object is refused by the same validators", () => {
    expect(crdErrors({ apiVersion: "helm.cattle.io/v1", kind: "HelmChart", spec: { failurePolicy: "sometimes" } } as never)).not.toEqual(
      [],
    );
    expect(
      crdErrors({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "g" },
        spec: { gatewayClassName: "nginx", listeners: [{ name: "x", port: 80, protocol: "HTTP", hostname: "Not A Name" }] },
      } as never),
    ).not.toEqual([]);
    expect(
      valuesValidator(CHARTS.ingress.schema)(mergeValues(chartDefaults(CHARTS.ingress.schema), { nginx: { kind: "statefulSet" } })),
    ).toBe(false);
    expect(
      valuesValidator(CHARTS.logStore.schema)(mergeValues(chartDefaults(CHARTS.logStore.schema), { singleBinary: { replicas: "one" } })),
    ).toBe(false);
    expect(
      valuesValidator(CHARTS.dashboard.schema)(
        mergeValues(chartDefaults(CHARTS.dashboard.schema), { clusterRoleBinding: { create: "no" } }),
      ),
    ).toBe(false);
    // and the path check finds a misspelt key, in the chart and in a subchart
    expect(
      unknownPaths(
        { kubeEtcd: { endpionts: [] }, grafana: { persistance: {}, persistence: { storageClassName: "x" } } },
        NO_SCHEMA.monitoring,
      ),
    ).toEqual(["kubeEtcd.endpionts", "grafana.persistance"]);
  });
});

describe("addons: what they do", () => {
  it("the ingress: nginx as a DaemonSet on the masters, host ports 80/443, ClusterIP, one shared Gateway for all namespaces", () => {
    const v = chartValues(demoCluster(DNS), "slipway-ingress") as Record<string, Record<string, unknown>>;
    expect(v.nginx).toMatchObject({
      kind: "daemonSet",
      pod: { nodeSelector: { "node-role.kubernetes.io/control-plane": "" } },
      container: {
        hostPorts: [
          { port: 80, containerPort: 80 },
          { port: 443, containerPort: 443 },
        ],
      },
      service: { type: "ClusterIP" },
    });
    const tolerations = ((v.nginx as { pod: unknown }).pod as { tolerations: { key: string }[] }).tolerations.map((t) => t.key);
    expect(tolerations).toContain("node-role.kubernetes.io/control-plane");
    const [gw] = v.gateways as unknown as { annotations: Record<string, string>; spec: { listeners: Record<string, unknown>[] } }[];
    expect(gw?.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt-production" });
    expect(gw?.spec.listeners).toEqual([
      { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } },
      {
        name: "https",
        port: 443,
        protocol: "HTTPS",
        hostname: "*.demo.example.com",
        allowedRoutes: { namespaces: { from: "All" } },
        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "ingress-tls" }] },
      },
    ]);
    // the namespace allows the host ports (baseline would refuse the pods)
    const ns = allItems(demoCluster(DNS)).find((i) => i.kind === "Namespace" && i.metadata.name === "nginx-gateway");
    expect(((ns as Item).metadata as { labels?: Record<string, string> }).labels?.["pod-security.kubernetes.io/enforce"]).toBe(
      "privileged",
    );
    // HTTP redirects to HTTPS on the http listener; cert-manager's HTTP-01 routes match exact paths, which win
    const route = allItems(demoCluster(DNS)).find((i) => i.kind === "HTTPRoute");
    expect(route?.spec).toEqual({
      parentRefs: [{ name: "ingress", sectionName: "http" }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    });
  });

  it("TLS: staging and production issuers; names in the zone by DNS-01 (Cloudflare), every other name by HTTP-01 through the shared Gateway", () => {
    const issuers = allItems(demoCluster([...DNS, [["addons", "tls", "email"], "ops@example.com"]])).filter(
      (i) => i.kind === "ClusterIssuer",
    );
    expect(issuers.map((i) => i.metadata.name)).toEqual(["letsencrypt-production", "letsencrypt-staging"]);
    const acme = ((issuers[0] as Item).spec as { acme: { server: string; email: string; solvers: unknown[] } }).acme;
    expect(acme.server).toBe("https://acme-v02.api.letsencrypt.org/directory");
    expect(acme.email).toBe("ops@example.com");
    expect(acme.solvers).toEqual([
      {
        selector: { dnsZones: ["example.com"] },
        dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-dns01", key: "api-token" } } },
      },
      { http01: { gatewayHTTPRoute: { parentRefs: [{ name: "ingress", namespace: "nginx-gateway", sectionName: "http" }] } } },
    ]);
    // without dns: HTTP-01 only, and no token anywhere
    const plain = allItems(demoCluster()).filter((i) => i.kind === "ClusterIssuer");
    expect(((plain[0] as Item).spec as { acme: { solvers: unknown[] } }).acme.solvers).toHaveLength(1);
    expect(allItems(demoCluster()).some((i) => i.kind === "Secret" && i.metadata.name === "cloudflare-dns01")).toBe(false);
    // cert-manager runs with its Gateway API support and keeps its CRDs
    expect(chartValues(demoCluster(), "slipway-tls")).toMatchObject({
      crds: { enabled: true, keep: true },
      config: { gatewayAPI: { enabled: true } },
    });
  });

  it("apply order: Gateway API CRDs, namespaces, the controller, secrets, charts, routes, then issuers", () => {
    const names = addonBundle(demoCluster(DNS)).map((f) => f.name);
    expect(names).toEqual([...names].sort());
    const first = (p: string) => names.findIndex((n) => n.startsWith(p));
    expect(first("00-gateway-api")).toBe(0);
    expect(first("00-gateway-api")).toBeLessThan(first("30-charts"));
    expect(first("20-helm-controller")).toBeLessThan(first("30-charts"));
    expect(first("25-secrets")).toBeLessThan(first("30-charts"));
    expect(first("30-charts")).toBeLessThan(first("50-issuers"));
  });

  it("the operator's values merge over Slipway's (maps key by key, lists replaced); a version of their own is used", () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: 2 });
    const c = demoCluster([
      [
        ["addons", "ingress"],
        { values: { nginxGateway: { replicas: 3 }, nginx: { container: { resources: { requests: { cpu: "100m" } } } } } },
      ],
      [["addons", "metricsServer"], { version: "3.14.0" }],
    ]);
    const v = chartValues(c, "slipway-ingress") as { nginxGateway: Record<string, unknown>; nginx: { container: Record<string, unknown> } };
    expect(v.nginxGateway.replicas).toBe(3);
    expect(v.nginxGateway.gatewayClassName).toBe("nginx");
    expect(v.nginx.container).toMatchObject({ hostPorts: expect.any(Array), resources: { requests: { cpu: "100m" } } });
    expect(helmCharts(c).find((h) => h.metadata.name === "slipway-metrics-server")?.spec?.version).toBe("3.14.0");
  });

  it("each addon turns off with one line; with all off, masters carry neither bundle nor unit", async () => {
    const off = demoCluster([[["addons"], { ingress: false, tls: false, cloudController: false, storage: false, metricsServer: false }]]);
    expect(addonBundle(off)).toEqual([]);
    const t = tmp("slipway-addons-off-");
    try {
      const { config } = await renderNode(off, { target: { role: "master", index: 0 }, pkiDir: join(t.dir, "pki") });
      expect(config).not.toContain("/etc/kubernetes/addons");
      expect(config).not.toContain("slipway-addons.service");
    } finally {
      t.cleanup();
    }
    const noTls = allItems(demoCluster([...DNS, [["addons", "tls"], false]]));
    expect(noTls.some((i) => i.kind === "ClusterIssuer")).toBe(false);
    const gw = (
      chartValues(demoCluster([...DNS, [["addons", "tls"], false]]), "slipway-ingress") as {
        gateways: { spec: { listeners: unknown[] } }[];
      }
    ).gateways[0];
    expect(gw?.spec.listeners).toHaveLength(1);
  });
});

describe("addons: monitoring, logs and the dashboard", () => {
  const all = demoCluster([...DNS, ...OBSERVABILITY]);
  type Route = Item & { spec: { parentRefs: { name: string; namespace: string; sectionName: string }[]; hostnames: string[] } };
  const routes = (c: Cluster) =>
    allItems(c).filter((i) => i.kind === "HTTPRoute" && i.metadata.name !== "https-redirect") as unknown as Route[];
  const gatewayListeners = (c: Cluster) =>
    (chartValues(c, "slipway-ingress") as { gateways: { spec: { listeners: { name: string; hostname?: string }[] } }[] }).gateways[0]?.spec
      .listeners ?? [];

  it("off by default, one line each to turn on (logs bring their store)", () => {
    expect(helmCharts(demoCluster(DNS)).map((h) => h.metadata.name)).not.toEqual(
      expect.arrayContaining(["slipway-monitoring", "slipway-logs", "slipway-log-store", "slipway-dashboard"]),
    );
    expect(helmCharts(demoCluster([[["addons", "logs"], true]])).map((h) => h.metadata.name)).toEqual(
      expect.arrayContaining(["slipway-logs", "slipway-log-store"]),
    );
    // the store alone (another agent of the operator's), or the agent alone with outputs of its own
    expect(helmCharts(demoCluster([[["addons", "logStore"], true]])).map((h) => h.metadata.name)).not.toContain("slipway-logs");
    const own = demoCluster([[["addons"], { logs: { values: { config: { outputs: "[OUTPUT]\n    Name stdout\n" } } }, logStore: false }]]);
    expect(helmCharts(own).map((h) => h.metadata.name)).toContain("slipway-logs");
    expect(helmCharts(own).map((h) => h.metadata.name)).not.toContain("slipway-log-store");
  });

  it("Prometheus scrapes the etcd tier over mutual TLS from outside the cluster, with a certificate that reads nothing else", () => {
    const v = chartValues(all, "slipway-monitoring") as {
      kubeEtcd: { endpoints: string[]; service: { port: number }; serviceMonitor: Record<string, unknown> };
      prometheus: { prometheusSpec: { secrets: string[] } };
    };
    expect(v.kubeEtcd.endpoints).toEqual(all.plan.etcd.map((e) => e.ip));
    expect(v.kubeEtcd.service.port).toBe(2379);
    const dir = "/etc/prometheus/secrets/etcd-metrics";
    expect(v.kubeEtcd.serviceMonitor).toMatchObject({
      scheme: "https",
      insecureSkipVerify: false,
      caFile: `${dir}/ca.crt`,
      certFile: `${dir}/tls.crt`,
      keyFile: `${dir}/tls.key`,
      bearerTokenFile: "",
    });
    expect(v.prometheus.prometheusSpec.secrets).toEqual(["etcd-metrics"]);
    // the Secret it mounts: in monitoring, its three keys placeholders until the masters fill them in
    const file = addonBundle(all).find((f) => f.name === "25-secret-etcd-metrics.json") as BundleFile;
    const [secret] = itemsOf(file) as (Item & { stringData: Record<string, string> })[];
    expect(secret?.metadata).toEqual({ name: "etcd-metrics", namespace: "monitoring" });
    expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);
    expect(bundleText(file)).not.toMatch(/BEGIN/);
    // the certificate exists only with monitoring on: its CN is no etcd user
    const spec = certSpecs(all).find((c) => c.name === "etcd-metrics-client");
    expect(spec).toMatchObject({ ca: "etcd-ca", commonName: "etcd-metrics", usages: ["client_auth"] });
    expect(certSpecs(demoCluster()).some((c) => c.name === "etcd-metrics-client")).toBe(false);
    // the Secret is applied once, so its certificate lives as long as the CA, not pki.certValidityDays
    const signed = resourcesOf(
      synthJson(
        demoCluster([
          [["addons", "monitoring"], true],
          [["pki"], { caValidityDays: 1000, certValidityDays: 90, renewBeforeDays: 10 }],
        ]),
      ),
      "tls_locally_signed_cert",
    );
    expect(signed["cert_etcd-metrics-client"]).toMatchObject({ validity_period_hours: 24000 });
    expect(signed["cert_etcd-member-0"]).toMatchObject({ validity_period_hours: 2160 });
  });

  it("monitoring: retention and volumes from the file on the CSI class that keeps its volumes; nothing scraped that only listens on localhost", () => {
    for (const [c, cls] of [
      [demoCluster([[["addons", "monitoring"], { retention: "30d", size: 100 }]]), "cinder-retain"],
      [awsCluster([[["addons", "monitoring"], { retention: "30d", size: 100 }]]), "gp3-retain"],
    ] as const) {
      const v = chartValues(c, "slipway-monitoring") as Record<string, Record<string, unknown>>;
      const spec = (v.prometheus as { prometheusSpec: Record<string, unknown> }).prometheusSpec;
      expect(spec).toMatchObject({
        retention: "30d",
        retentionSize: "85GB",
        storageSpec: { volumeClaimTemplate: { spec: { storageClassName: cls, resources: { requests: { storage: "100Gi" } } } } },
      });
      expect((v.grafana as { persistence: Record<string, unknown> }).persistence).toMatchObject({ enabled: true, storageClassName: cls });
      for (const k of ["kubeControllerManager", "kubeScheduler", "kubeProxy"]) expect(v[k], k).toEqual({ enabled: false });
      // kubelets' serving certificates are the cluster CA's: verified, not skipped
      expect(v.kubelet).toEqual({ serviceMonitor: { https: true, insecureSkipVerify: false } });
      // node-exporter on every node, masters included
      expect(v["prometheus-node-exporter"]).toMatchObject({ tolerations: [{ operator: "Exists" }] });
    }
    const own = chartValues(demoCluster([[["addons", "monitoring"], { storageClass: "fast" }]]), "slipway-monitoring") as {
      alertmanager: { alertmanagerSpec: { storage: { volumeClaimTemplate: { spec: { storageClassName: string } } } } };
    };
    expect(own.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe("fast");
  });

  it("Grafana and Headlamp: HTTPS only, at <name>.<ingress wildcard> under its certificate or at names of their own with theirs", () => {
    // under the wildcard: the https listener, no new listener
    const r = routes(all);
    expect(r.map((x) => [x.metadata.namespace, x.spec.hostnames, x.spec.parentRefs[0]?.sectionName])).toEqual([
      ["monitoring", ["grafana.demo.example.com"], "https"],
      ["headlamp", ["headlamp.demo.example.com"], "https"],
    ]);
    expect(gatewayListeners(all).map((l) => l.name)).toEqual(["http", "https"]);
    // a route is never on the http listener: there every name is redirected
    for (const x of r) expect(x.spec.parentRefs).toEqual([{ name: "ingress", namespace: "nginx-gateway", sectionName: "https" }]);
    const g = chartValues(all, "slipway-monitoring") as { grafana: { "grafana.ini": Record<string, Record<string, unknown>> } };
    expect(g.grafana["grafana.ini"].server).toEqual({ root_url: "https://grafana.demo.example.com/" });
    expect(g.grafana["grafana.ini"]["auth.anonymous"]).toEqual({ enabled: false });
    // names of their own: a listener each, with a certificate of its own (HTTP-01)
    const own = demoCluster([...DNS, ...OBSERVABILITY, ...OWN_UI_NAMES]);
    expect(gatewayListeners(own).filter((l) => l.name.startsWith("https-"))).toEqual([
      expect.objectContaining({ name: "https-grafana", hostname: "grafana.ops.example.org" }),
      expect.objectContaining({ name: "https-headlamp", hostname: "kube.ops.example.org" }),
    ]);
    expect(routes(own).map((x) => x.spec.parentRefs[0]?.sectionName)).toEqual(["https-grafana", "https-headlamp"]);
    // without dns: Grafana by port-forward; the dashboard needs a name of its own
    expect(routes(demoCluster([[["addons", "monitoring"], true]]))).toEqual([]);
    expect(routes(demoCluster([[["addons", "dashboard"], { hostname: "kube.example.org" }]])).map((x) => x.spec.hostnames)).toEqual([
      ["kube.example.org"],
    ]);
  });

  it("the dashboard signs nobody in by itself: its service account is bound to nothing, every user brings a token", () => {
    const v = chartValues(all, "slipway-dashboard") as Record<string, Record<string, unknown>>;
    expect(v.clusterRoleBinding).toEqual({ create: false });
    expect(v.config).toMatchObject({ unsafeUseServiceAccountToken: false });
    expect(allItems(all).filter((i) => i.kind === "ClusterRoleBinding" && JSON.stringify(i).includes("headlamp"))).toEqual([]);
  });

  it("logs: the journal and every container's log from every node to Loki; state and buffer on /var/log (the logs volume where the pool has one)", () => {
    const fb = chartValues(all, "slipway-logs") as {
      tolerations: unknown[];
      config: Record<string, string>;
      daemonSetVolumes: { name: string; hostPath: { path: string } }[];
    };
    expect(fb.tolerations).toEqual([{ operator: "Exists" }]);
    // Fluent Bit's classic format: sections of "key value" lines
    const sections = Object.values(fb.config)
      .join("")
      .split(/^\[/m)
      .filter(Boolean)
      .map((sec) => {
        const [head, ...lines] = sec.trim().split("\n");
        return {
          name: head?.replace("]", ""),
          ...Object.fromEntries(
            lines.map((l) =>
              l
                .trim()
                .split(/\s+(.*)/s)
                .slice(0, 2),
            ),
          ),
        } as Record<string, string>;
      });
    const inputs = sections.filter((x) => x.name === "INPUT");
    expect(inputs.map((i) => i.Name)).toEqual(["tail", "systemd"]);
    expect(inputs[0]).toMatchObject({ Path: "/var/log/containers/*.log", "multiline.parser": "cri" });
    const service = sections.find((x) => x.name === "SERVICE") as Record<string, string>;
    const mounted = fb.daemonSetVolumes.map((v) => v.hostPath.path);
    // every path it writes lies on the host's /var/log
    for (const p of [service["storage.path"], ...inputs.map((i) => i.DB)]) {
      expect(p).toMatch(/^\/var\/log\//);
      expect(mounted).toContain("/var/log");
    }
    const outputs = sections.filter((x) => x.name === "OUTPUT");
    expect(outputs.map((o) => [o.Match, o.Name, o.Host, o.Port])).toEqual([
      ["kube.*", "loki", "loki.logging.svc.cluster.local", "3100"],
      ["journal.*", "loki", "loki.logging.svc.cluster.local", "3100"],
    ]);
    // every tag an input makes, some output matches
    const matches = (tag: string, m: string) => new RegExp(`^${m.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`).test(tag);
    for (const i of inputs)
      expect(
        outputs.some((o) => matches((i.Tag as string).replace("*", "x"), o.Match as string)),
        i.Tag,
      ).toBe(true);
    // Loki: one instance, filesystem on a volume, retention from the file, near the logs pool
    const loki = chartValues(
      demoCluster([
        [["addons", "logs"], true],
        [["addons", "logStore"], { retention: "30d", size: 200 }],
      ]),
      "slipway-log-store",
    ) as {
      loki: Record<string, Record<string, unknown>>;
      singleBinary: Record<string, unknown>;
    };
    expect(loki.loki.limits_config).toEqual({ retention_period: "30d" });
    expect(loki.loki.compactor).toMatchObject({ retention_enabled: true });
    expect(loki.singleBinary).toMatchObject({ replicas: 1, persistence: { enabled: true, size: "200Gi", storageClass: "cinder-retain" } });
    expect(JSON.stringify(loki.singleBinary.affinity)).toContain('"values":["logging"]');
    // Grafana reads it
    const g = chartValues(all, "slipway-monitoring") as { grafana: { additionalDataSources: { type: string; url: string }[] } };
    expect(g.grafana.additionalDataSources).toEqual([
      expect.objectContaining({ type: "loki", url: "http://loki.logging.svc.cluster.local:3100" }),
    ]);
  });

  it("slipway images lists what the observability charts pull, at the tags their values.yaml names", () => {
    const listed = addonImages(all.config).map((i) => i.image.ref);
    const kps = NO_SCHEMA.monitoring.defaults as Record<string, Record<string, Record<string, unknown>>>;
    const ref = (img: { registry?: string; repository: string; tag?: string }) => `${img.registry}/${img.repository}:${img.tag}`;
    const spec = (o: unknown, ...path: string[]) =>
      path.reduce((x, k) => (x as Record<string, unknown>)[k], o) as { registry: string; repository: string; tag: string };
    for (const img of [
      spec(kps, "prometheus", "prometheusSpec", "image"),
      spec(kps, "alertmanager", "alertmanagerSpec", "image"),
      spec(kps, "prometheusOperator", "admissionWebhooks", "patch", "image"),
      spec(kps, "grafana", "sidecar", "image"),
    ])
      expect(listed).toContain(ref(img));
    // images whose tag is the chart's appVersion
    expect(listed).toEqual(
      expect.arrayContaining([
        "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
        "cr.fluentbit.io/fluent/fluent-bit:5.1.1",
        "docker.io/grafana/loki:3.7.6",
        "ghcr.io/headlamp-k8s/headlamp:v0.45.0",
      ]),
    );
    expect(addonImages(demoCluster().config).some((i) => i.image.ref.includes("grafana"))).toBe(false);
  });

  it("restricted namespaces: the charts' pods, at Slipway's values over the charts' defaults, meet Pod Security restricted", () => {
    type SC = Record<string, unknown> | undefined;
    // the restricted profile's rules on a pod's and its container's security contexts (kubernetes.io/docs/concepts/security/pod-security-standards)
    const restrictedProblems = (pod: SC, container: SC): string[] => {
      const p = pod ?? {};
      const c = container ?? {};
      const out: string[] = [];
      if (c.privileged === true) out.push("privileged");
      if (c.allowPrivilegeEscalation !== false) out.push("allowPrivilegeEscalation must be false");
      if (!((c.capabilities as { drop?: string[] } | undefined)?.drop ?? []).includes("ALL")) out.push("capabilities must drop ALL");
      if (c.runAsNonRoot !== true && p.runAsNonRoot !== true) out.push("runAsNonRoot must be true");
      if (c.runAsUser === 0 || p.runAsUser === 0) out.push("runAsUser 0");
      const seccomp = ((c.seccompProfile ?? p.seccompProfile) as { type?: string } | undefined)?.type;
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push("seccompProfile must be RuntimeDefault");
      return out;
    };
    const merged = (c: Cluster, chart: string, schema: string) =>
      mergeValues(chartDefaults(schema), chartValues(c, chart)) as Record<string, Record<string, unknown>>;
    const h = merged(all, "slipway-dashboard", CHARTS.dashboard.schema);
    expect(restrictedProblems(h.podSecurityContext, h.securityContext)).toEqual([]);
    // the chart's own defaults alone would be refused: the test can fail
    const bare = chartDefaults(CHARTS.dashboard.schema) as Record<string, SC>;
    expect(restrictedProblems(bare.podSecurityContext, bare.securityContext)).not.toEqual([]);
    const l = merged(demoCluster([[["addons", "logStore"], true]]), "slipway-log-store", CHARTS.logStore.schema).loki as Record<string, SC>;
    expect(restrictedProblems(l.podSecurityContext, l.containerSecurityContext)).toEqual([]);
  });

  it("namespaces: privileged only where host access needs it", () => {
    const ns = Object.fromEntries(
      allItems(all)
        .filter((i) => i.kind === "Namespace")
        .map((i) => [i.metadata.name, (i.metadata as { labels?: Record<string, string> }).labels?.["pod-security.kubernetes.io/enforce"]]),
    );
    expect(ns).toMatchObject({ monitoring: "privileged", logging: "privileged", headlamp: "restricted" });
    expect(
      Object.fromEntries(
        allItems(demoCluster([[["addons", "logStore"], true]]))
          .filter((i) => i.kind === "Namespace")
          .map((i) => [
            i.metadata.name,
            (i.metadata as { labels?: Record<string, string> }).labels?.["pod-security.kubernetes.io/enforce"],
          ]),
      ).logging,
    ).toBe("restricted");
  });
});

describe("addons: bad values, one line each", () => {
  const run = (changes: Changes) => {
    const t = tmp("slipway-addons-bad-");
    try {
      const file = join(t.dir, "c.yaml");
      writeFileSync(file, demoYaml(changes));
      return slipway(["validate", file]);
    } finally {
      t.cleanup();
    }
  };
  it.each<[string, Changes, RegExp]>([
    [
      "a value the chart's schema refuses",
      [[["addons", "ingress"], { values: { nginx: { kind: "statefulSet" } } }]],
      /c\.yaml:\d+:\d+: addons\.ingress\.values\.nginx\.kind: must be equal to one of the allowed values: "deployment", "daemonSet" \(nginx-gateway-fabric 2\.6\.7 values\.schema\.json\)$/,
    ],
    [
      "an unknown addon",
      [[["addons", "monitor"], true]],
      /addons\.monitor: unknown field "monitor"; allowed here: cloudController, dashboard, ingress, logStore, logs, metricsServer, monitoring, storage, tls$/,
    ],

    ["a wildcard without dns", [[["addons", "tls"], { wildcard: true }]], /addons\.tls\.wildcard: needs dns:/],
    [
      "DNS-01 with configs inline in user_data",
      [...DNS, [["openstack", "configStore"], "inline"]],
      /openstack\.configStore: is inline, but addons\.tls puts a Cloudflare token on the masters/,
    ],
    [
      "names without TLS",
      [[["addons"], { tls: false, ingress: { hostnames: ["a.example.org"] } }]],
      /addons\.ingress\.hostnames: are served over HTTPS with certificates from addons\.tls, which is off/,
    ],
    ["not a version", [[["addons", "tls"], { version: "latest" }]], /addons\.tls\.version: must be a chart version such as 1\.2\.3$/],
    [
      "monitoring without storage",
      [[["addons"], { monitoring: true, storage: false }]],
      /addons\.monitoring: keeps its data on a volume of addons\.storage's StorageClass, which is off/,
    ],
    [
      "a retention Prometheus cannot read",
      [[["addons", "monitoring"], { retention: "15 days" }]],
      /addons\.monitoring\.retention: must be a duration such as 15d/,
    ],
    [
      "a dashboard with no name to be served at",
      [[["addons", "dashboard"], true]],
      /addons\.dashboard: needs a name to be served at: set addons\.dashboard\.hostname/,
    ],
    [
      "Fluent Bit with nowhere to send",
      [[["addons"], { logs: true, logStore: false }]],
      /addons\.logs: sends to addons\.logStore, which is off/,
    ],
    [
      "Grafana at a name without TLS",
      [[["addons"], { tls: false, monitoring: { grafana: "grafana.example.org" } }]],
      /addons\.monitoring\.grafana: is served over HTTPS by addons\.ingress with a certificate from addons\.tls/,
    ],
    [
      "the same name twice",
      [[["addons"], { ingress: { hostnames: ["kube.example.org"] }, dashboard: { hostname: "kube.example.org" } }]],
      /addons\.dashboard\.hostname: kube\.example\.org is already served by another entry/,
    ],
    [
      "a Loki value its schema refuses",
      [
        [["addons", "logs"], true],
        [["addons", "logStore"], { values: { singleBinary: { replicas: "one" } } }],
      ],
      /addons\.logStore\.values\.singleBinary\.replicas: must be integer,null \(loki 18\.11\.0 values\.schema\.json\)$/,
    ],
  ])("%s", (_, changes, message) => {
    const r = run(changes);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("addons: the cloud glue", () => {
  it("the cloud controllers install first, as bootstrap charts on the masters' host network", () => {
    for (const c of [demoCluster(), awsCluster()]) {
      const [first] = helmCharts(c);
      expect(first?.metadata.name).toBe("slipway-cloud-controller");
      expect(first?.spec?.bootstrap).toBe(true);
    }
    const occm = chartValues(demoCluster(), "slipway-cloud-controller");
    expect(occm).toEqual({
      secret: { enabled: true, create: false, name: "cloud-config" },
      enabledControllers: ["cloud-node", "cloud-node-lifecycle"],
      dnsPolicy: "Default",
      extraVolumes: [],
      extraVolumeMounts: [],
      cluster: { name: "demo" },
    });
    const lb = chartValues(demoCluster([[["addons", "cloudController"], { loadBalancers: true }]]), "slipway-cloud-controller");
    expect(lb.enabledControllers).toContain("service");
    const ccm = chartValues(awsCluster(), "slipway-cloud-controller") as {
      image: { tag: string };
      args: string[];
      hostNetworking: boolean;
    };
    // the controller's release line follows the cluster's Kubernetes minor
    expect(ccm.image.tag).toMatch(new RegExp(`^v${awsCluster().config.kubernetes.version.split(".").slice(0, 2).join("\\.")}\\.`));
    expect(ccm.hostNetworking).toBe(true);
    expect(ccm.args).toEqual(expect.arrayContaining(["--cloud-provider=aws", "--cluster-name=demo-aws", "--configure-cloud-routes=false"]));
    expect(ccm.args.find((a) => a.startsWith("--controllers="))).toBe("--controllers=cloud-node,cloud-node-lifecycle");
  });

  it("storage: one default StorageClass that binds in the pod's zone and can grow (gp3 encrypted on AWS), and one that keeps its volumes", () => {
    for (const [c, provisioner, params] of [
      [demoCluster([[["openstack", "volumeType"], "ssd"]]), "cinder.csi.openstack.org", { type: "ssd" }],
      [awsCluster(), "ebs.csi.aws.com", { type: "gp3", encrypted: "true" }],
    ] as const) {
      const classes = allItems(c).filter((i) => i.kind === "StorageClass");
      expect(classes).toHaveLength(2);
      for (const sc of classes)
        expect(sc).toMatchObject({
          provisioner,
          volumeBindingMode: "WaitForFirstConsumer",
          allowVolumeExpansion: true,
          parameters: params,
        });
      const defaults = classes.filter((sc) => sc.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
      expect(defaults.map((d) => String((d as Item).reclaimPolicy))).toEqual(["Delete"]);
      expect(classes.map((sc) => String((sc as Item).reclaimPolicy)).sort()).toEqual(["Delete", "Retain"]);
    }
    const noDefault = allItems(demoCluster([[["addons", "storage"], { defaultClass: false }]])).filter((i) => i.kind === "StorageClass");
    expect(noDefault.some((sc) => sc.metadata.annotations)).toBe(false);
    expect(chartValues(demoCluster(), "slipway-storage")).toMatchObject({
      secret: { enabled: true, create: false, hostMount: false, name: "cloud-config" },
      storageClass: { enabled: false },
    });
    expect(chartValues(awsCluster(), "slipway-storage")).toMatchObject({
      controller: { region: "eu-central-1" },
      node: { hostNetwork: true },
      awsAccessSecret: { name: "aws-secret" },
    });
  });

  it("OpenStack: one application credential with the file's roles, not unrestricted; cloud.conf reaches the masters through state, its secret JSON-escaped", () => {
    const tf = synthJson(bakedDemoCluster());
    const cred = resourcesOf(tf, "openstack_identity_application_credential_v3").cloud_controllers;
    expect(cred).toMatchObject({ roles: ["member"], unrestricted: false });
    const text = JSON.stringify(tf);
    expect(text).not.toContain(TF_ADDON_VALUES["openstack_identity_application_credential_v3.cloud_controllers.secret"]);
    const file = servedConfigFile(tf, "config_demo-master-0", "/etc/kubernetes/addons/25-secret-cloud-config.json");
    const secret = (JSON.parse(file) as { items: { stringData: Record<string, string> }[] }).items[0]?.stringData["cloud.conf"] ?? "";
    expect(secret).toContain(
      `application-credential-secret=${TF_ADDON_VALUES["openstack_identity_application_credential_v3.cloud_controllers.secret"]}\n`,
    );
    expect(secret).toMatch(/^\[Global\]\nauth-url=https:\/\/keystone\.example\.com:5000\/v3\nregion=RegionOne\n/);
    expect(secret).toContain("[LoadBalancer]\nenabled=false\n");
  });

  it("AWS: the EBS CSI driver's key reaches the masters through state, JSON-escaped; workers' roles grant nothing", () => {
    const tf = synthJson(awsCluster());
    const file = servedConfigFile(tf, "config_demo-aws-master-0", "/etc/kubernetes/addons/25-secret-aws-secret.json");
    const data = (JSON.parse(file) as { items: { metadata: { name: string }; stringData: Record<string, string> }[] }).items[0];
    expect(data?.metadata.name).toBe("aws-secret");
    expect(data?.stringData).toEqual({
      key_id: TF_ADDON_VALUES["aws_iam_access_key.ebs_csi_key.id"],
      access_key: TF_ADDON_VALUES["aws_iam_access_key.ebs_csi_key.secret"],
    });
    expect(JSON.stringify(tf)).not.toContain(TF_ADDON_VALUES["aws_iam_access_key.ebs_csi_key.secret"]);
    expect(resourcesOf(tf, "aws_iam_role_policy")["role_pool-general_policy"]).toBeUndefined();
  });

  it("slipway render: a master goes without the credentials Terraform makes, and says so; given one, it lands JSON-escaped", async () => {
    const t = tmp("slipway-addons-cloud-");
    try {
      const file = join(t.dir, "c.yaml");
      writeFileSync(file, bakedDemoYaml());
      const out = join(t.dir, "m.ign");
      const args = ["render", file, "--role", "master", "--index", "0", "--pki", join(t.dir, "pki"), "--out", out];
      const without = slipway(args, { env: { SLIPWAY_SECRET_OPENSTACK_CLOUD_CONFIG: "" } });
      expect(without.code, without.stderr).toBe(0);
      expect(without.stderr).toContain("without the cloud credentials Terraform makes (SLIPWAY_SECRET_OPENSTACK_CLOUD_CONFIG)");
      expect(readFileSync(out, "utf8")).not.toContain("25-secret-cloud-config.json");
      const conf = '[Global]\nauth-url=https://k.example.com/v3\napplication-credential-secret=a"b\\c</script>\n';
      const withIt = slipway(args, { env: { SLIPWAY_SECRET_OPENSTACK_CLOUD_CONFIG: conf } });
      expect(withIt.code, withIt.stderr).toBe(0);
      ignitionApply(readFileSync(out, "utf8"), join(t.dir, "root"));
      const written = JSON.parse(readFileSync(join(t.dir, "root", "etc/kubernetes/addons/25-secret-cloud-config.json"), "utf8"));
      expect(written.items[0].stringData["cloud.conf"]).toBe(conf);
    } finally {
      t.cleanup();
    }
  });

  it("roles are Keystone's: refused on AWS", () => {
    const t = tmp("slipway-addons-roles-");
    try {
      const file = join(t.dir, "c.yaml");
      writeFileSync(file, awsYaml([[["addons", "cloudController"], { roles: ["admin"] }]]));
      const r = slipway(["validate", file]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /addons\.cloudController\.roles: are Keystone roles, for OpenStack; on AWS the masters' instance role is used$/,
      );
    } finally {
      t.cleanup();
    }
  });

  it("the EBS CSI chart's own schema checks an operator's values", () => {
    const t = tmp("slipway-addons-ebs-");
    try {
      const file = join(t.dir, "c.yaml");
      writeFileSync(file, awsYaml([[["addons", "storage"], { values: { controller: { replicaCount: "two" } } }]]));
      const r = slipway(["validate", file]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /addons\.storage\.values\.controller\.replicaCount: must be integer \(aws-ebs-csi-driver 2\.64\.0 values\.schema\.json\)$/,
      );
    } finally {
      t.cleanup();
    }
  });
});

describe("addons: secrets only through Terraform state", () => {
  const TOKEN = "cfTokenThatMustNeverBePrinted_0123456789";

  it("the Cloudflare token is a sensitive variable in the synthesized JSON, never a value; the bundle holds only a placeholder", () => {
    for (const cluster of [demoCluster(DNS), awsCluster(DNS)]) {
      const text = synthText(cluster);
      const tf = JSON.parse(text) as { variable: Record<string, { sensitive?: boolean; validation?: unknown[] }> };
      expect(tf.variable.cloudflare_dns01_token).toMatchObject({ sensitive: true, nullable: false });
      expect(tf.variable.cloudflare_dns01_token?.validation).toHaveLength(1);
      expect(text).toContain("var.cloudflare_dns01_token");
      expect(text).not.toContain(secretPlaceholder("cloudflare-dns01-token"));
    }
    const file = addonBundle(demoCluster(DNS)).find((f) => f.name === "25-secret-cloudflare-dns01.json");
    expect(bundleText(file as BundleFile)).toContain(secretPlaceholder("cloudflare-dns01-token"));
    expect(fillSecrets(bundleText(file as BundleFile), file?.secrets, () => TOKEN).join("")).toContain(`"api-token":"${TOKEN}"`);
    // without dns: no variable at all (nothing to ask the operator for)
    expect(JSON.parse(synthText(demoCluster())).variable?.cloudflare_dns01_token).toBeUndefined();
  });

  it("slipway render takes it from TF_VAR_cloudflare_dns01_token, or says in one line that it needs it; `slipway addons` never prints it", () => {
    const t = tmp("slipway-addons-render-");
    try {
      const file = join(t.dir, "c.yaml");
      writeFileSync(file, demoYaml(DNS));
      const env = { TF_VAR_cloudflare_dns01_token: "" };
      const missing = slipway(
        ["render", file, "--role", "master", "--index", "0", "--pki", join(t.dir, "pki"), "--out", join(t.dir, "m.ign")],
        { env },
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toMatch(
        /^slipway: this master.s addons need TF_VAR_cloudflare_dns01_token in the environment \(Cloudflare API token/,
      );
      const ok = slipway(["render", file, "--role", "master", "--index", "0", "--pki", join(t.dir, "pki"), "--out", join(t.dir, "m.ign")], {
        env: { TF_VAR_cloudflare_dns01_token: TOKEN },
      });
      expect(ok.code, ok.stderr).toBe(0);
      expect(`${ok.stdout}${ok.stderr}`).not.toContain(TOKEN);
      const printed = slipway(["addons", file], { env: { TF_VAR_cloudflare_dns01_token: TOKEN } });
      expect(printed.code, printed.stderr).toBe(0);
      expect(`${printed.stdout}${printed.stderr}`).not.toContain(TOKEN);
      expect(printed.stdout).toContain("api-token: <from TF_VAR_cloudflare_dns01_token>");
      const out = join(t.dir, "bundle");
      const written = slipway(["addons", file, "--out", out], { env: { TF_VAR_cloudflare_dns01_token: TOKEN } });
      expect(written.code, written.stderr).toBe(0);
      expect(written.stderr).toContain("left out 25-secret-cloudflare-dns01.json");
      expect(written.stderr).toContain("left out 25-secret-cloud-config.json");
      const kust = parse(readFileSync(join(out, "kustomization.yaml"), "utf8")) as { resources: string[] };
      expect(kust.resources.slice(0, GATEWAY_API_FILES.length).every((r) => r.startsWith("https://raw.githubusercontent.com/"))).toBe(true);
      for (const r of kust.resources.filter((x) => !x.startsWith("https://"))) {
        expect(existsSync(join(out, r)), r).toBe(true);
        expect(readFileSync(join(out, r), "utf8")).not.toContain(TOKEN);
      }
      // a second run replaces its own output; a folder of someone else's files is refused
      expect(slipway(["addons", file, "--out", out]).code).toBe(0);
      const foreign = join(t.dir, "foreign");
      mkdirSync(foreign);
      writeFileSync(join(foreign, "notes.txt"), "mine");
      const refused = slipway(["addons", file, "--out", foreign]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/is not empty and was not written by slipway/);
      expect(readFileSync(join(foreign, "notes.txt"), "utf8")).toBe("mine");
    } finally {
      t.cleanup();
    }
  });
});
