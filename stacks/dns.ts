// Cloudflare DNS: every master's public address as an A record for the API name and for the
// ingress wildcard. Clients (and browsers) move on to the next address when one master is down.
// The API token comes from CLOUDFLARE_API_TOKEN, never from the cluster file or the synthesized JSON.
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import type { TerraformStack } from "cdktf";
import type { ClusterConfig } from "./model/schema";

export interface DnsNames {
  api: string;
  ingress: string;
}

/** Fully qualified names the cluster publishes, or undefined without dns:. */
export function dnsNames(config: ClusterConfig): DnsNames | undefined {
  const dns = config.dns;
  if (!dns) return undefined;
  return {
    api: `${dns.api ?? `api.${config.name}`}.${dns.zone}`,
    ingress: `${dns.ingress ?? `*.${config.name}`}.${dns.zone}`,
  };
}

export function dnsRecords(stack: TerraformStack, config: ClusterConfig, masterIps: string[]): DnsNames | undefined {
  const names = dnsNames(config);
  const dns = config.dns;
  if (!names || !dns) return undefined;
  new CloudflareProvider(stack, "cloudflare", {});
  masterIps.forEach((ip, i) => {
    for (const [kind, name] of Object.entries(names)) {
      new DnsRecord(stack, `dns_${kind}_${i}`, {
        zoneId: dns.zoneId,
        name,
        type: "A",
        content: ip,
        ttl: dns.ttl,
        proxied: false,
        comment: `${config.name}: master ${i} (${kind})`,
      });
    }
  });
  return names;
}
