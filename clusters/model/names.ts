// Names and addresses derived from the cluster file that several layers need (DNS, certificates,
// kubeconfigs) — kept here so bootstrap/ never has to import a stack.
import { cloudOf } from "./clouds";
import type { ClusterConfig } from "./schema";

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

/** How many public addresses and names (known only at apply time) the API answers on. */
export function publicApiEndpoints(config: ClusterConfig): { ips: number; names: number } {
  return cloudOf(config).publicApiEndpoints(config);
}
