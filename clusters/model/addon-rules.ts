// The addons' charts as the cluster's cloud pins them, and the rules of the addons section. Apart
// from addons.ts because the cloud's own charts come from its descriptor, whose schema addons.ts
// is part of: importing the descriptors from there would go round in a circle.
import { ADDON_NAMES, type AddonName, CHARTS, type ChartPin, valuesProblems, wildcardTls } from "./addons";
import type { RuleSink } from "./cloud";
import { cloudOf } from "./clouds";
import { dnsNames } from "./names";
import type { ClusterConfig } from "./schema";

/** The chart an addon installs on the cluster's cloud (Slipway's pin). */
export function chartPin(config: { cloud: ClusterConfig["cloud"] }, name: AddonName): ChartPin {
  if (name === "cloudController" || name === "storage") {
    return cloudOf(config).addons[name].chart;
  }
  return CHARTS[name];
}

/** The addons with a web UI behind the ingress, and the first label of their default name. */
export const SERVED_UIS = { monitoring: "grafana", dashboard: "headlamp" } as const;
export type ServedUi = keyof typeof SERVED_UIS;

const uiSetting = (config: ClusterConfig, ui: ServedUi): string | false | undefined =>
  ui === "monitoring" ? config.addons.monitoring.grafana : config.addons.dashboard.hostname;

/**
 * The name an addon's UI is served at over HTTPS by the shared Gateway: the one the file gives,
 * or <label>.<dns.ingress's wildcard base>; undefined when it is not served.
 */
export function servedHostname(config: ClusterConfig, ui: ServedUi): string | undefined {
  const a = config.addons;
  if (!a[ui].enabled || !a.ingress.enabled || !a.tls.enabled) return undefined;
  const set = uiSetting(config, ui);
  if (set === false) return undefined;
  if (set) return set;
  const wildcard = dnsNames(config)?.ingress;
  return wildcard?.startsWith("*.") ? `${SERVED_UIS[ui]}.${wildcard.slice(2)}` : undefined;
}

/** Whether the ingress wildcard certificate covers a name: one label under dns.ingress's wildcard. */
export function underWildcard(config: ClusterConfig, host: string): boolean {
  const wildcard = dnsNames(config)?.ingress;
  if (!wildcardTls(config) || !wildcard?.startsWith("*.")) return false;
  const base = wildcard.slice(1);
  return host.endsWith(base) && !host.slice(0, -base.length).includes(".") && host.length > base.length;
}

/**
 * The rules of the addons section that need more than one field. An operator's values are checked
 * on their own (what Slipway merges under them is checked by its tests: test/addons.test.ts).
 */
export function addonRules(config: ClusterConfig, add: RuleSink): void {
  const a = config.addons;
  if (a.tls.enabled && a.tls.wildcard && !config.dns)
    add(["addons", "tls", "wildcard"], "needs dns: (the wildcard is dns.ingress, proved to Let's Encrypt through Cloudflare DNS-01)");
  if (a.ingress.enabled && a.ingress.hostnames.length > 0 && !a.tls.enabled)
    add(
      ["addons", "ingress", "hostnames"],
      "are served over HTTPS with certificates from addons.tls, which is off; turn it on or remove them",
    );
  const seen = new Set<string>();
  a.ingress.hostnames.forEach((h, i) => {
    if (seen.has(h)) add(["addons", "ingress", "hostnames", i], `${h} is listed twice`);
    seen.add(h);
  });
  for (const ui of Object.keys(SERVED_UIS) as ServedUi[]) {
    const at = ui === "monitoring" ? ["addons", "monitoring", "grafana"] : ["addons", "dashboard", "hostname"];
    const set = uiSetting(config, ui);
    if (!a[ui].enabled) continue;
    if (typeof set === "string" && (!a.ingress.enabled || !a.tls.enabled))
      add(at, "is served over HTTPS by addons.ingress with a certificate from addons.tls; both must be on (or set it to false)");
    const host = servedHostname(config, ui);
    if (host && seen.has(host)) add(at, `${host} is already served by another entry (addons.ingress.hostnames or the other UI)`);
    if (host) seen.add(host);
  }
  if (a.dashboard.enabled && a.dashboard.hostname === undefined && !servedHostname(config, "dashboard"))
    add(
      ["addons", "dashboard"],
      a.ingress.enabled && a.tls.enabled
        ? "needs a name to be served at: set addons.dashboard.hostname (dns.ingress is no wildcard to take one under), or false to reach it by kubectl port-forward only"
        : "is served over HTTPS by addons.ingress with a certificate from addons.tls; turn both on, or set addons.dashboard.hostname: false to reach it by kubectl port-forward only",
    );
  for (const name of ["monitoring", "logStore"] as const)
    if (a[name].enabled && !a.storage.enabled)
      add(
        ["addons", name],
        `keeps its data on a volume of addons.storage's StorageClass, which is off; turn addons.storage on (or ${name} off)`,
      );
  const outputs = (a.logs.values?.config as Record<string, unknown> | undefined)?.outputs;
  if (a.logs.enabled && !a.logStore.enabled && outputs === undefined)
    add(
      ["addons", "logs"],
      "sends to addons.logStore, which is off: turn it on, or give Fluent Bit outputs of your own in addons.logs.values.config.outputs",
    );
  for (const name of ADDON_NAMES) {
    const settings = a[name];
    const pin = chartPin(config, name);
    if (!settings.enabled || !settings.values || !pin.schema || (settings.version && settings.version !== pin.version)) continue;
    for (const p of valuesProblems(pin.schema, settings.values))
      add(["addons", name, "values", ...p.path], `${p.message.replace("the chart's", `${pin.chart.split("/").pop()} ${pin.version}`)}`);
  }
}
