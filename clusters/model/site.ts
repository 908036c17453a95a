// A site: public hostnames in one Cloudflare zone and, per region, the clusters that can serve
// them and which one should be live. `slipway traffic` points the names at a cluster's ingress;
// the cluster files themselves are loaded (and validated) as they are for every other command.
import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { dnsName, label } from "./grammar";
import { type Cluster, loadCluster, parseWithSchema } from "./load";
import { knownFields, suggestField } from "./messages";
import { dnsNames } from "./names";
import { decodeClusterText, readClusterBytes } from "./source";

/**
 * Site names go into every record comment the switch writes (`slipway:<site>#<n> <to> was <from>`,
 * at most 100 characters on Cloudflare's free plan): 15 characters keep the longest comment in it.
 */
const SITE_NAME_MAX = 15;

const Region = z.strictObject({
  hostnames: z
    .array(dnsName("shop.example.com"))
    .min(1)
    .max(50)
    .describe("Public names of this region, fully qualified and inside the zone; each becomes a CNAME to the live cluster's ingress."),
  clusters: z
    .array(z.string().min(1).max(1024))
    .min(1)
    .max(8)
    .describe("Cluster files that can serve the names (paths relative to this file); each needs dns: (its ingress records)."),
  live: label(32).describe("The cluster (by its name) that should serve the names; `slipway traffic switch` without --to goes there."),
});

export const SiteFile = z
  .strictObject({
    site: label(SITE_NAME_MAX).describe("Site name; it marks the records the switch owns."),
    zone: dnsName("example.com", { zone: true }).describe("The Cloudflare zone the hostnames are in."),
    zoneId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "must be the 32-character hexadecimal Cloudflare zone id")
      .describe("Cloudflare zone id of zone. The API token comes from CLOUDFLARE_API_TOKEN."),
    ttl: z.number().int().min(60).max(86400).default(60).describe("TTL of the hostnames' records, in seconds."),
    regions: z
      .record(label(32), Region)
      .refine((r) => Object.keys(r).length > 0, "needs at least 1 region")
      .describe("Per region: its hostnames, the clusters that can serve them, the live one."),
  })
  .describe("A Slipway site: public hostnames switched between clusters (blue/green).");

export type SiteConfig = z.output<typeof SiteFile>;

export interface SiteCluster {
  name: string;
  cluster: Cluster;
  /** the zone holding the cluster's own records (Terraform's) */
  zoneId: string;
  /** its API name and its ingress wildcard, fully qualified */
  api: string;
  ingress: string;
  /** what the site's hostnames point at: a name under the ingress wildcard */
  target: string;
}

export interface SiteRegion {
  name: string;
  hostnames: string[];
  live: string;
  clusters: SiteCluster[];
}

export interface Site {
  file: string;
  name: string;
  zone: string;
  zoneId: string;
  ttl: number;
  regions: SiteRegion[];
}

let siteSchema: object | undefined;

function unknownSiteField(path: readonly PropertyKey[]): string {
  siteSchema ??= z.toJSONSchema(SiteFile, { io: "input", unrepresentable: "any" });
  // inside regions.<name> the JSON Schema has additionalProperties, not properties
  const parent = path.slice(0, -1).map((seg, i) => (i === 1 && path[0] === "regions" ? "*" : seg));
  const known = parent.length === 2 && parent[0] === "regions" ? Object.keys(Region.shape).sort() : knownFields(parent, siteSchema);
  return suggestField(String(path[path.length - 1]), known);
}

/** The CNAME target for `site` on a cluster: a name its ingress wildcard answers. */
export function ingressTarget(site: string, ingressWildcard: string): string {
  return ingressWildcard.replace(/^\*\./, `${site}.`);
}

export function loadSite(file: string): Site {
  const { config, problemsAt } = parseWithSchema(decodeClusterText(readClusterBytes(file, "site file"), file), file, SiteFile, (p) =>
    unknownSiteField(p),
  );
  const problems: { path: PropertyKey[]; message: string }[] = [];
  const owner = new Map<string, string>();
  const clusterOf = new Map<string, string>();
  const regions: SiteRegion[] = [];
  for (const [region, r] of Object.entries(config.regions)) {
    for (const [i, h] of r.hostnames.entries()) {
      const path = ["regions", region, "hostnames", i];
      if (h !== config.zone && !h.endsWith(`.${config.zone}`)) problems.push({ path, message: `${h} is not in the zone ${config.zone}` });
      const other = owner.get(h);
      if (other !== undefined) problems.push({ path, message: `${h} is listed twice (also in region ${other})` });
      owner.set(h, region);
    }
    const clusters: SiteCluster[] = [];
    for (const [i, f] of r.clusters.entries()) {
      const path = ["regions", region, "clusters", i];
      const cluster = loadCluster(isAbsolute(f) ? f : join(dirname(file), f));
      const name = cluster.config.name;
      const names = dnsNames(cluster.config);
      const dns = cluster.config.dns;
      if (!names || !dns) {
        problems.push({ path, message: `cluster ${name} has no dns: — the switch points the names at its ingress records` });
        continue;
      }
      const seen = clusterOf.get(name);
      if (seen !== undefined) problems.push({ path, message: `cluster ${name} is listed twice (also in region ${seen})` });
      clusterOf.set(name, region);
      for (const [j, h] of r.hostnames.entries())
        if (h === names.api)
          problems.push({
            path: ["regions", region, "hostnames", j],
            message: `${h} is cluster ${name}'s API name (its Terraform records)`,
          });
      clusters.push({ name, cluster, zoneId: dns.zoneId, ...names, target: ingressTarget(config.site, names.ingress) });
    }
    if (clusters.length === r.clusters.length && !clusters.some((c) => c.name === r.live))
      problems.push({
        path: ["regions", region, "live"],
        message: `names no cluster of this region; they are ${clusters.map((c) => c.name).join(", ")}`,
      });
    regions.push({ name: region, hostnames: r.hostnames, live: r.live, clusters });
  }
  if (problems.length > 0) throw problemsAt(problems);
  return { file, name: config.site, zone: config.zone, zoneId: config.zoneId, ttl: config.ttl, regions };
}
