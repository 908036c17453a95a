// The cluster network: one network and subnet holding every machine's fixed address, routed to
// the external network so machines can pull images and masters can carry floating IPs.
import type { TerraformStack } from "cdktf";
import type { Plan } from "../../clusters/model/plan";
import type { OpenstackClusterConfig } from "./cloud";
import { DataOpenstackNetworkingNetworkV2 } from "./gen/data-openstack-networking-network-v2";
import { NetworkingNetworkV2 } from "./gen/networking-network-v2";
import { NetworkingRouterInterfaceV2 } from "./gen/networking-router-interface-v2";
import { NetworkingRouterV2 } from "./gen/networking-router-v2";
import { NetworkingSubnetV2 } from "./gen/networking-subnet-v2";

export interface ClusterNetwork {
  network: NetworkingNetworkV2;
  subnet: NetworkingSubnetV2;
  /** depends_on target for anything that needs the subnet routed (floating IPs) */
  routerInterface: NetworkingRouterInterfaceV2;
  externalNetworkName: string;
  /** the external network's id (where the cloud controller puts load balancers' floating IPs) */
  externalNetworkId: string;
}

export function network(stack: TerraformStack, config: OpenstackClusterConfig, plan: Plan): ClusterNetwork {
  const os = config.openstack;
  const external = new DataOpenstackNetworkingNetworkV2(stack, "external_network", {
    name: os.externalNetwork,
    external: true,
  });
  const network = new NetworkingNetworkV2(stack, "network", {
    name: config.name,
    adminStateUp: true,
  });
  const subnet = new NetworkingSubnetV2(stack, "subnet", {
    name: config.name,
    networkId: network.id,
    cidr: plan.nodes.text,
    ipVersion: 4,
    gatewayIp: plan.gateway[0],
    // DHCP and router ports take addresses only from the small pool the plan reserves for them,
    // so they can never take a machine's fixed address.
    allocationPool: plan.dhcp.map((d) => ({ start: d.start, end: d.end })),
    dnsNameservers: os.dnsNameservers,
    enableDhcp: true,
  });
  const router = new NetworkingRouterV2(stack, "router", {
    name: config.name,
    externalNetworkId: external.id,
    adminStateUp: true,
  });
  const routerInterface = new NetworkingRouterInterfaceV2(stack, "router_interface", {
    routerId: router.id,
    subnetId: subnet.id,
  });
  return { network, subnet, routerInterface, externalNetworkName: os.externalNetwork, externalNetworkId: external.id };
}
