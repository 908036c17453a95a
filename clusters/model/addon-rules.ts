// The addons' charts as the cluster's cloud pins them, and the rules of the addons section. Apart
// from addons.ts because the cloud's own charts come from its descriptor, whose schema addons.ts
// is part of: importing the descriptors from there would go round in a circle.
import { ADDON_NAMES, type AddonName, CHARTS, type ChartPin, valuesProblems } from "./addons";
import type { RuleSink } from "./cloud";
import { cloudOf } from "./clouds";
import type { ClusterConfig } from "./schema";

/** The chart an addon installs on the cluster's cloud (Slipway's pin). */
export function chartPin(config: { cloud: ClusterConfig["cloud"] }, name: AddonName): ChartPin {
  if (name === "cloudController" || name === "storage") {
    return cloudOf(config).addons[name].chart;
  }
  return CHARTS[name];
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
  for (const name of ADDON_NAMES) {
    const settings = a[name];
    const pin = chartPin(config, name);
    if (!settings.enabled || !settings.values || !pin.schema || (settings.version && settings.version !== pin.version)) continue;
    for (const p of valuesProblems(pin.schema, settings.values))
      add(["addons", name, "values", ...p.path], `${p.message.replace("the chart's", `${pin.chart.split("/").pop()} ${pin.version}`)}`);
  }
}
