// The addon bundle: every object the masters apply so the cluster's addons install themselves,
// as numbered files applied in order (scripts/kube-bootstrap.sh, run by slipway-addons.service):
//
//   00-gateway-api-*.yaml  the Gateway API CRDs (downloaded by Ignition, SHA-512 checked): before
//                          cert-manager, which crash-loops without the v1 Gateway kinds
//   10-namespaces.json     each addon's namespace, with the Pod Security level its pods need
//   15-storage.json        the StorageClasses of the cloud's CSI driver
//   20-helm-controller.json  the controller that turns HelmCharts into Helm installs
//   25-secret-*.json       credentials from Terraform state (only in the masters' configs)
//   30-charts.json         one HelmChart per addon that is on
//   40-routes.json         the HTTP → HTTPS redirect on the shared Gateway, the routes of Grafana and Headlamp
//   50-issuers.json        Let's Encrypt ClusterIssuers, once cert-manager's chart made its CRDs
//
// A file whose kinds do not exist yet is applied again until they do; the rest is plain
// server-side apply, once per version — an operator's later change is never reverted.
// `slipway addons` prints the same bundle (secrets shown as the variable they come from).
import { ADDON_NAMES, CHARTS, wildcardTls } from "../../clusters/model/addons";
import type { Cluster } from "../../clusters/model/load";
import type { AddonSecret } from "../node";
import { type KubeObject, helmChart, helmControllerObjects, namespace, secretObject } from "./charts";
import { cloudControllerValues, cloudSecrets, storageClasses, storageValues } from "./cloud";
import { GATEWAY_API_FILES, gatewayApiUrl } from "./gateway-api";
import { dashboardValues } from "./dashboard";
import { GATEWAY, ingressValues, redirectRoute, uiRoutes } from "./ingress";
import { fluentBitValues, lokiValues } from "./logs";
import { metricsValues } from "./metrics";
import { etcdMetricsSecret, monitoringValues } from "./monitoring";
import { secretPlaceholder } from "./secrets";
import { CLOUDFLARE_SECRET, clusterIssuers, tlsValues } from "./tls";

type Obj = KubeObject | { validate(): void; toJSON(): unknown };

export interface BundleFile {
  name: string;
  /** objects of a List; a Secret's values are placeholders the caller fills in (`secrets`) */
  objects?: Obj[];
  /** downloaded at first boot instead: the URL and its SHA-512 */
  remote?: { url: string; sha512: string };
  /** secrets by placeholder, when the file holds any */
  secrets?: AddonSecret[];
}

export const ADDONS_DIR = "/etc/kubernetes/addons";

/** The cluster's bundle, in apply order; empty when every addon is off. */
export function addonBundle(cluster: Cluster): BundleFile[] {
  const { config } = cluster;
  const a = config.addons;
  if (ADDON_NAMES.every((n) => !a[n].enabled)) return [];
  const files: BundleFile[] = [];
  // cert-manager's Gateway API support needs the kinds even when the ingress is off
  if (a.ingress.enabled || a.tls.enabled)
    for (const [name, sha512] of GATEWAY_API_FILES)
      files.push({ name: `00-gateway-api-${name}.yaml`, remote: { url: gatewayApiUrl(name), sha512 } });

  const namespaces: Obj[] = [];
  // nginx binds the masters' ports 80 and 443 (host ports), which baseline forbids
  if (a.ingress.enabled) namespaces.push(namespace(CHARTS.ingress.namespace, "privileged"));
  if (a.tls.enabled) namespaces.push(namespace(CHARTS.tls.namespace));
  // node-exporter reads the host's /proc and /sys on its network and PID namespace; Fluent Bit
  // the host's /var/log (host paths): both beyond baseline
  if (a.monitoring.enabled) namespaces.push(namespace(CHARTS.monitoring.namespace, "privileged"));
  if (a.logs.enabled || a.logStore.enabled) namespaces.push(namespace(CHARTS.logs.namespace, a.logs.enabled ? "privileged" : "restricted"));
  if (a.dashboard.enabled) namespaces.push(namespace(CHARTS.dashboard.namespace, "restricted"));
  if (namespaces.length) files.push({ name: "10-namespaces.json", objects: namespaces });
  if (a.storage.enabled) files.push({ name: "15-storage.json", objects: storageClasses(config) });
  files.push({ name: "20-helm-controller.json", objects: helmControllerObjects() });

  for (const s of cloudSecrets(config)) files.push({ name: `25-secret-${s.name}.json`, objects: [s.object], secrets: s.secrets });
  if (wildcardTls(config))
    files.push({
      name: "25-secret-cloudflare-dns01.json",
      objects: [secretObject(CLOUDFLARE_SECRET.name, CHARTS.tls.namespace, { [CLOUDFLARE_SECRET.key]: "cloudflare-dns01-token" })],
      secrets: ["cloudflare-dns01-token"],
    });

  if (a.monitoring.enabled)
    files.push({
      name: "25-secret-etcd-metrics.json",
      objects: [etcdMetricsSecret()],
      secrets: ["etcd-metrics-ca", "etcd-metrics-cert", "etcd-metrics-key"],
    });

  const charts: Obj[] = [];
  // the cloud's controller first: nothing else schedules before it initialized the nodes
  if (a.cloudController.enabled)
    charts.push(helmChart(config, "cloudController", { values: cloudControllerValues(config), bootstrap: true }));
  if (a.storage.enabled) charts.push(helmChart(config, "storage", { values: storageValues(config) }));
  if (a.tls.enabled) charts.push(helmChart(config, "tls", { values: tlsValues() }));
  if (a.ingress.enabled) charts.push(helmChart(config, "ingress", { values: ingressValues(config) }));
  if (a.metricsServer.enabled) charts.push(helmChart(config, "metricsServer", { values: metricsValues() }));
  if (a.monitoring.enabled) charts.push(helmChart(config, "monitoring", { values: monitoringValues(cluster) }));
  if (a.logStore.enabled) charts.push(helmChart(config, "logStore", { values: lokiValues(cluster) }));
  if (a.logs.enabled) charts.push(helmChart(config, "logs", { values: fluentBitValues(cluster) }));
  if (a.dashboard.enabled) charts.push(helmChart(config, "dashboard", { values: dashboardValues() }));
  files.push({ name: "30-charts.json", objects: charts });

  const routes = a.ingress.enabled ? [redirectRoute(config), ...uiRoutes(config)].filter((r) => r !== undefined) : [];
  if (routes.length) files.push({ name: "40-routes.json", objects: routes });
  if (a.tls.enabled) files.push({ name: "50-issuers.json", objects: clusterIssuers(config, GATEWAY) });
  // the masters apply them in the order of their names
  return files.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

const isTyped = (o: Obj): o is { validate(): void; toJSON(): unknown } => typeof (o as { validate?: unknown }).validate === "function";

/** A file's List as JSON text, every typed object validated first. */
export function bundleText(file: BundleFile): string {
  const items = (file.objects ?? []).map((o) => {
    if (isTyped(o)) {
      o.validate();
      return o.toJSON();
    }
    return o;
  });
  return `${JSON.stringify({ apiVersion: "v1", kind: "List", items })}\n`;
}

/** A bundle file's text with its secrets' placeholders replaced: `fill` gives each one's value. */
export function fillSecrets<T>(text: string, secrets: AddonSecret[] | undefined, fill: (name: AddonSecret) => T): (string | T)[] {
  let parts: (string | T)[] = [text];
  for (const name of secrets ?? []) {
    const marker = secretPlaceholder(name);
    parts = parts.flatMap((p) => (typeof p === "string" ? p.split(marker).flatMap((s, i) => (i === 0 ? [s] : [fill(name), s])) : [p]));
  }
  return parts.filter((p) => p !== "");
}
