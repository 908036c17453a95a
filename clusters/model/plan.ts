// The address plan: which machine gets which fixed address, derived only from the cluster file.
// The shape and the placement rules are in placement.ts; which subnets exist and where each role
// goes is the cloud's policy (its descriptor's plan()).
import { cloudOf } from "./clouds";
import { ipFromNumber, parseCidr4 } from "./net";
import type { Plan } from "./placement";
import type { ClusterConfig } from "./schema";

export { OFFSETS, type NodePlan, type Plan, type PoolPlan, type Role } from "./placement";

export function planAddresses(config: ClusterConfig): Plan {
  const services = parseCidr4(config.network.services);
  return {
    nodes: parseCidr4(config.network.nodes),
    ...cloudOf(config).plan(config),
    apiServiceIp: ipFromNumber(services.first + 1),
    dnsServiceIp: ipFromNumber(services.first + 10),
  };
}
