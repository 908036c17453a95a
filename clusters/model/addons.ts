// The cluster's addons, as the cluster file states them: which run, at which chart version, with
// which of the operator's own values over Slipway's. The charts each addon installs are pinned
// here (CHARTS) because the model validates an operator's `values:` against the pinned chart's own
// values.schema.json, over its values.yaml (charts/, copied from each chart's source; see
// charts/README.md) — so a
// wrong value is one line at `slipway validate`, not a failed Helm job on a master at first boot.
// What Slipway sets in each chart's values, and how the bundle reaches the masters:
// bootstrap/addons/.
//
// Deliberately small dependency surface: ajv loads only when a file gives values of its own.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { dnsName } from "./grammar";
import type { ClusterConfig } from "./schema";

export interface ChartPin {
  /** the chart's name in its repository, or its full oci:// reference */
  chart: string;
  /** a Helm repository URL; absent for oci:// charts */
  repo?: string;
  version: string;
  /** where it installs */
  namespace: string;
  /** what it delivers of the seed's platform, for the README and `slipway addons` */
  delivers: string;
  /** clusters/model/charts/<schema>.values.schema.json, when the chart ships one */
  schema?: string;
}

/**
 * The charts, pinned. Versions as of 2026-08 (each project's release tags): NGINX Gateway Fabric
 * 2.6.7 implements Gateway API v1.5.1 (its go.mod), cert-manager 1.21.1, metrics-server chart
 * 3.13.1 (metrics-server 0.8.1: the chart that ships 0.9.0 is not released).
 */
export const CHARTS = {
  ingress: {
    chart: "oci://ghcr.io/nginx/charts/nginx-gateway-fabric",
    version: "2.6.7",
    namespace: "nginx-gateway",
    delivers: "the nginx ingress on the masters (Gateway API), every master's address in DNS",
    schema: "nginx-gateway-fabric-2.6.7",
  },
  tls: {
    chart: "cert-manager",
    repo: "https://charts.jetstack.io",
    version: "v1.21.1",
    namespace: "cert-manager",
    delivers: "automatic TLS certificates from Let's Encrypt",
    schema: "cert-manager-v1.21.1",
  },
  metricsServer: {
    chart: "metrics-server",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    version: "3.13.1",
    namespace: "kube-system",
    delivers: "resource metrics (kubectl top, autoscaling)",
  },
  monitoring: {
    chart: "kube-prometheus-stack",
    repo: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    namespace: "monitoring",
    delivers:
      "cluster health and performance metrics with Grafana as the UI: Prometheus, Alertmanager, node-exporter, the etcd tier scraped over mutual TLS",
  },
  logs: {
    chart: "fluent-bit",
    repo: "https://fluent.github.io/helm-charts",
    version: "0.58.1",
    namespace: "logging",
    delivers: "log collection: the journal and every container's logs of every node",
  },
  logStore: {
    chart: "loki",
    repo: "https://grafana-community.github.io/helm-charts",
    version: "18.11.0",
    namespace: "logging",
    delivers: "the logs' store (Loki on a block-storage volume), searched from Grafana",
    schema: "loki-18.11.0",
  },
  dashboard: {
    chart: "headlamp",
    repo: "https://kubernetes-sigs.github.io/headlamp/",
    version: "0.45.0",
    namespace: "headlamp",
    delivers: "the dashboard (Headlamp) behind the ingress with TLS, signed in with a token",
    schema: "headlamp-0.45.0",
  },
} as const satisfies Record<string, ChartPin>;

/** The addons whose chart is the cloud's own: its descriptor pins it (CloudDescriptor.addons). */
export type CloudAddonName = "cloudController" | "storage";
export type AddonName = keyof typeof CHARTS | CloudAddonName;
export const ADDON_NAMES: readonly AddonName[] = [
  "ingress",
  "tls",
  "cloudController",
  "storage",
  "metricsServer",
  "monitoring",
  "logs",
  "logStore",
  "dashboard",
];

/**
 * The credentials addons take from outside the cluster (bootstrap/addons/secrets.ts says where
 * each comes from).
 */
export type AddonSecret =
  | "cloudflare-dns01-token"
  | "openstack-cloud-config"
  | "aws-ebs-csi-key-id"
  | "aws-ebs-csi-secret-key"
  | "etcd-metrics-ca"
  | "etcd-metrics-cert"
  | "etcd-metrics-key"
  // not an addon's: the etcd members' backup store (etcd.backup), the same path from state
  | "etcd-backup-credential-id"
  | "etcd-backup-credential-secret"
  | "etcd-backup-auth-url"
  | "etcd-backup-region"
  | "etcd-backup-s3-url";

const chartVersion = z
  .string()
  .regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "must be a chart version such as 1.2.3")
  .describe(
    "Chart version instead of Slipway's pin. Your values are then not checked against a schema (Slipway has the pinned one's only).",
  );

const values = z
  .record(z.string(), z.unknown())
  .describe(
    "Helm values merged over Slipway's (maps merge key by key, lists and scalars replace). Checked against the pinned chart's values.schema.json where it ships one.",
  );

/** A duration as Prometheus and Loki read one: 15d, 2w, 720h. */
const retention = (what: string, def: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,4}(h|d|w)$/, "must be a duration such as 15d, 2w or 720h")
    .default(def)
    .describe(`How long ${what} are kept (h, d or w). Default: ${def}.`);

const volumeGib = (what: string, def: number) =>
  z
    .number()
    .int("must be a whole number of GiB")
    .min(1)
    .max(16384)
    .default(def)
    .describe(`Size in GiB of ${what}'s volume (addons.storage's StorageClass). Default: ${def}.`);

const storageClass = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, "must be a StorageClass name such as cinder-retain")
  .optional()
  .describe(
    "StorageClass of its volume. Default: addons.storage's class that keeps its volumes (cinder-retain, gp3-retain): deleting the claim by mistake loses no data.",
  );

const servedName = (what: string, example: string) =>
  z
    .union([dnsName(example), z.literal(false)])
    .optional()
    .describe(
      `The name ${what} is served at over HTTPS by the ingress, or false for none (kubectl port-forward). ` +
        `Default: ${example.split(".")[0]}.<dns.ingress without its *.> when dns.ingress is a wildcard, otherwise none.`,
    );

/**
 * An addon: `true`/`false`, or a map of its settings (`enabled` defaults to true there: writing
 * the map means wanting the addon). Always read as the map, with every default filled in.
 */
function addon<Own extends z.ZodRawShape>(name: AddonName, on: boolean, what: string, own: Own) {
  const settings = z.strictObject({
    enabled: z.boolean().default(true).describe(`Install ${what}.`),
    version: chartVersion.optional(),
    values: values.optional(),
    ...own,
  });
  const p: ChartPin | undefined = name === "cloudController" || name === "storage" ? undefined : CHARTS[name];
  const charts = p ? `${p.chart} ${p.version}${p.repo ? ` from ${p.repo}` : ""}` : "the cloud's own chart (`slipway addons` names it)";
  return z
    .union([z.boolean(), settings])
    .default(on)
    .transform((v) => settings.parse(typeof v === "boolean" ? { enabled: v } : v))
    .describe(`${what[0]?.toUpperCase()}${what.slice(1)}: ${charts}. true or false, or its settings. Default: ${on ? "on" : "off"}.`);
}

/** The log store's settings: like addon(), but left unset it follows addons.logs (resolved by Addons). */
const logStoreSettings = z.strictObject({
  enabled: z.boolean().default(true).describe("Install Loki."),
  version: chartVersion.optional(),
  values: values.optional(),
  retention: retention("logs", "14d"),
  size: volumeGib("Loki", 50),
  storageClass,
});
const logStore = z
  .union([z.boolean(), logStoreSettings])
  .optional()
  .transform((v) => (v === undefined ? undefined : logStoreSettings.parse(typeof v === "boolean" ? { enabled: v } : v)))
  .describe(
    `The logs' store: Loki (${CHARTS.logStore.chart} ${CHARTS.logStore.version} from ${CHARTS.logStore.repo}), one instance on a volume. true or false, or its settings. Default: on when addons.logs is (off: send Fluent Bit's output elsewhere through addons.logs.values).`,
  );

export const Addons = z
  .strictObject({
    ingress: addon("ingress", true, "the ingress: NGINX Gateway Fabric on every master, host ports 80 and 443", {
      hostnames: z
        .array(dnsName("shop.example.com").describe("A DNS name whose A records point at the masters."))
        .max(32)
        .default([])
        .describe(
          "Names served over HTTPS besides the dns.ingress wildcard, each with its own Let's Encrypt certificate (HTTP-01). Point their DNS at the masters first.",
        ),
    }),
    tls: addon("tls", true, "automatic TLS: cert-manager with Let's Encrypt issuers", {
      issuer: z
        .enum(["production", "staging"])
        .default("production")
        .describe(
          "Which Let's Encrypt the ingress's certificates come from. staging: untrusted certificates, generous rate limits (for trying things out).",
        ),
      email: z
        .email("must be an e-mail address such as ops@example.com")
        .max(254)
        .optional()
        .describe("Contact address registered with Let's Encrypt (optional)."),
      wildcard: z
        .boolean()
        .optional()
        .describe(
          "A wildcard certificate for dns.ingress through Cloudflare DNS-01 (needs dns:, and a token in TF_VAR_cloudflare_dns01_token at apply time). Default: true when dns: is set.",
        ),
    }),
    cloudController: addon("cloudController", true, "the cloud controller manager (OpenStack's or AWS's), on the masters", {
      loadBalancers: z
        .boolean()
        .default(false)
        .describe(
          "Let Services of type LoadBalancer create the cloud's load balancers (Octavia; AWS NLB/ELB). Off: the ingress on the masters serves traffic and nothing buys a load balancer by accident.",
        ),
      roles: z
        .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a Keystone role name such as member"))
        .min(1)
        .max(8)
        .default(["member"])
        .describe(
          "(OpenStack) Keystone roles of the application credential Terraform makes for the cloud controller and the Cinder CSI driver: the project's member role by default (some clouds call it _member_).",
        ),
    }),
    storage: addon("storage", true, "block storage for persistent volumes: Cinder CSI or EBS CSI", {
      defaultClass: z.boolean().default(true).describe("Make Slipway's StorageClass (cinder, or gp3 on AWS) the cluster's default."),
    }),
    metricsServer: addon("metricsServer", true, "metrics-server", {}),
    monitoring: addon("monitoring", false, "monitoring: Prometheus, Alertmanager and Grafana (kube-prometheus-stack)", {
      retention: retention("metrics", "15d"),
      size: volumeGib("Prometheus", 50),
      storageClass,
      grafana: servedName("Grafana", "grafana.apps.example.com"),
    }),
    logs: addon("logs", false, "log collection: Fluent Bit on every node, sending to addons.logStore", {}),
    logStore,
    dashboard: addon("dashboard", false, "the dashboard: Headlamp behind the ingress, sign-in with a token", {
      hostname: servedName("the dashboard", "headlamp.apps.example.com"),
    }),
  })
  .transform((a) => ({ ...a, logStore: a.logStore ?? logStoreSettings.parse({ enabled: a.logs.enabled }) }))
  .describe("What the cluster runs from its first boot, installed by the masters with no step after terraform apply.");

export type AddonsConfig = z.output<typeof Addons>;

// ---------------------------------------------------------------------------------------------
// Rules

/** Helm's merge: maps key by key, everything else replaced by the override. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? mergeValues(b, v) : v;
  }
  return out;
}
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const CHARTS_DIR = join(__dirname, "charts");

type Validate = ((v: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};
const compiled = new Map<string, Validate>();

/** The pinned chart's values.schema.json, compiled (ajv, loaded on first use). */
export function valuesValidator(schema: string): Validate {
  let v = compiled.get(schema);
  if (!v) {
    const json = JSON.parse(readFileSync(join(CHARTS_DIR, `${schema}.values.schema.json`), "utf8")) as { $schema?: string };
    // the draft the schema says it is written in (the EBS CSI chart's is 2019-09)
    const Ajv = (json.$schema?.includes("2019-09") ? require("ajv/dist/2019") : (require("ajv") as typeof import("ajv")))
      .default as typeof import("ajv").default;
    const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
    v = ajv.compile(json) as Validate;
    compiled.set(schema, v);
  }
  return v;
}

const defaults = new Map<string, Record<string, unknown>>();

/** The chart's own values.yaml (charts/<schema>.values.yaml): what Helm merges everything over. */
export function chartDefaults(schema: string): Record<string, unknown> {
  let d = defaults.get(schema);
  if (!d) {
    const { parse } = require("yaml") as typeof import("yaml");
    d = parse(readFileSync(join(CHARTS_DIR, `${schema}.values.yaml`), "utf8")) as Record<string, unknown>;
    defaults.set(schema, d);
  }
  return d;
}

/**
 * Problems of `own` values against the chart's schema, as Helm checks them: over the chart's
 * defaults. Each at the deepest part of its path that `own` has.
 */
export function valuesProblems(schema: string, own: Record<string, unknown>): { path: string[]; message: string }[] {
  const validate = valuesValidator(schema);
  if (validate(mergeValues(chartDefaults(schema), own))) return [];
  return (validate.errors ?? []).map((e) => {
    const path = e.instancePath
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    // point at the deepest part of the path the operator wrote
    let known = 0;
    let at: unknown = own;
    for (const s of path) {
      if (!isMap(at) && !Array.isArray(at)) break;
      if (!(s in (at as object))) break;
      at = (at as Record<string, unknown>)[s];
      known++;
    }
    const extra =
      e.params && "additionalProperty" in e.params
        ? ` (${String(e.params.additionalProperty)})`
        : e.params && "allowedValues" in e.params
          ? `: ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(", ")}`
          : "";
    const where = path.length > known ? ` at ${path.join(".")}` : "";
    return { path: path.slice(0, known), message: `${e.message ?? "is invalid"}${extra}${where} (the chart's values.schema.json)` };
  });
}

/** Whether the ingress gets a wildcard certificate through Cloudflare DNS-01. */
export const wildcardTls = (config: ClusterConfig): boolean =>
  config.addons.tls.enabled && (config.addons.tls.wildcard ?? config.dns !== undefined) && config.dns !== undefined;
