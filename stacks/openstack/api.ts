// The public addresses of the Kubernetes API: a floating IP per master (also the ingress
// addresses), and optionally an Octavia load balancer with its own floating IP. They are created
// before anything else because the API server certificates must name them.
import type { TerraformStack } from "cdktf";
import { PORTS } from "../../clusters/model/ports";
import type { Plan } from "../../clusters/model/plan";
import type { OpenstackClusterConfig } from "./cloud";
import { DataOpenstackLbFlavorV2 } from "./gen/data-openstack-lb-flavor-v2";
import { LbListenerV2 } from "./gen/lb-listener-v2";
import { LbLoadbalancerV2 } from "./gen/lb-loadbalancer-v2";
import { LbMembersV2 } from "./gen/lb-members-v2";
import { LbMonitorV2 } from "./gen/lb-monitor-v2";
import { LbPoolV2 } from "./gen/lb-pool-v2";
import { NetworkingFloatingipAssociateV2 } from "./gen/networking-floatingip-associate-v2";
import { NetworkingFloatingipV2 } from "./gen/networking-floatingip-v2";
import type { ClusterNetwork } from "./network";

export interface PublicApi {
  /** one per master, in order */
  masterFloatingIps: NetworkingFloatingipV2[];
  /** every address the API answers on (for the certificates) */
  addresses: string[];
  /** the address to publish as the API endpoint */
  endpoint: string;
}

export function publicApi(stack: TerraformStack, config: OpenstackClusterConfig, plan: Plan, net: ClusterNetwork): PublicApi {
  const masterFloatingIps = plan.masters.map(
    (m, i) =>
      new NetworkingFloatingipV2(stack, `master_${i}_fip`, {
        pool: config.openstack.externalNetwork,
        description: `${m.name} (API and ingress)`,
        // the subnet must be routed to the external network before an address can be associated
        dependsOn: [net.routerInterface],
      }),
  );
  const addresses = masterFloatingIps.map((f) => f.address);
  const octavia = config.openstack.apiLoadBalancer;
  if (!octavia) return { masterFloatingIps, addresses, endpoint: addresses[0] as string };

  const flavor = octavia.flavor ? new DataOpenstackLbFlavorV2(stack, "api_lb_flavor", { name: octavia.flavor }) : undefined;
  const lb = new LbLoadbalancerV2(stack, "api_lb", {
    name: `${config.name}-api`,
    vipSubnetId: net.subnet.id,
    ...(flavor ? { flavorId: flavor.id } : {}),
    ...(config.openstack.availabilityZone ? { availabilityZone: config.openstack.availabilityZone } : {}),
  });
  const listener = new LbListenerV2(stack, "api_lb_listener", {
    name: `${config.name}-api`,
    loadbalancerId: lb.id,
    protocol: "TCP",
    protocolPort: PORTS.apiserver,
    // the API is for the admin networks only, as on the masters themselves
    allowedCidrs: config.adminCidrs,
    timeoutClientData: 3_600_000,
    timeoutMemberData: 3_600_000,
  });
  const pool = new LbPoolV2(stack, "api_lb_pool", {
    name: `${config.name}-api`,
    listenerId: listener.id,
    protocol: "TCP",
    lbMethod: "LEAST_CONNECTIONS",
  });
  new LbMonitorV2(stack, "api_lb_monitor", {
    poolId: pool.id,
    type: "HTTPS",
    urlPath: "/readyz",
    expectedCodes: "200",
    delay: 5,
    timeout: 3,
    maxRetries: 2,
  });
  new LbMembersV2(stack, "api_lb_members", {
    poolId: pool.id,
    member: plan.masters.map((m) => ({ name: m.name, address: m.ip, protocolPort: PORTS.apiserver, subnetId: net.subnet.id })),
  });
  const fip = new NetworkingFloatingipV2(stack, "api_lb_fip", {
    pool: config.openstack.externalNetwork,
    description: `${config.name} API load balancer`,
    dependsOn: [net.routerInterface],
  });
  new NetworkingFloatingipAssociateV2(stack, "api_lb_fip_associate", { floatingIp: fip.address, portId: lb.vipPortId });
  return { masterFloatingIps, addresses: [...addresses, fip.address], endpoint: fip.address };
}
