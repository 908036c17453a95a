// Cloudflare DNS: every master's public address as an A record for the API name and for the
// ingress wildcard. Clients (and browsers) move on to the next address when one master is down.
// The API token comes from CLOUDFLARE_API_TOKEN, never from the cluster file or the synthesized JSON.
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import type { TerraformStack } from "cdktf";
import { type DnsNames, dnsNames } from "../clusters/model/names";
import type { ClusterConfig } from "../clusters/model/schema";

/**
 * `api`: what the API name resolves to — addresses (A records), or a load balancer's DNS name (a
 * CNAME); `ingressIps`: the masters (ingress runs there).
 */
export function dnsRecords(
  stack: TerraformStack,
  config: ClusterConfig,
  api: string[] | { cname: string },
  ingressIps: string[],
): DnsNames | undefined {
  const names = dnsNames(config);
  const dns = config.dns;
  if (!names || !dns) return undefined;
  new CloudflareProvider(stack, "cloudflare", {});
  const records = (kind: "api" | "ingress", ips: string[]) => {
    for (const [i, ip] of ips.entries())
      new DnsRecord(stack, `dns_${kind}_${i}`, {
        zoneId: dns.zoneId,
        name: names[kind],
        type: "A",
        content: ip,
        ttl: dns.ttl,
        proxied: false,
        comment: `${config.name}: ${kind} address ${i}`,
      });
  };
  if (Array.isArray(api)) records("api", api);
  else
    new DnsRecord(stack, "dns_api_0", {
      zoneId: dns.zoneId,
      name: names.api,
      type: "CNAME",
      content: api.cname,
      ttl: dns.ttl,
      proxied: false,
      comment: `${config.name}: the API load balancer`,
    });
  records("ingress", ingressIps);
  return names;
}
