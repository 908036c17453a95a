// Names and addresses derived from the cluster file that several layers need (DNS, certificates,
// kubeconfigs) — kept here so bootstrap/ never has to import a stack.
import type { ClusterConfig } from "./schema";

/** Port of the local API load balancer every Kubernetes node runs on 127.0.0.1. */
export const API_LB_PORT = 7443;

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
  if (config.cloud === "openstack") return { ips: config.masters.count + (config.openstack.apiLoadBalancer ? 1 : 0), names: 0 };
  // AWS: an Elastic IP per master; a network load balancer has a DNS name, not fixed addresses
  return { ips: config.masters.count, names: config.aws.apiLoadBalancer ? 1 : 0 };
}
