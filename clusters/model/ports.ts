// The ports the cluster's machines talk on. Facts every layer shares: the node configs listen on
// them (bootstrap/), the security groups open them (stacks/firewall.ts).
export const PORTS = {
  ssh: 22,
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  kubelet: 10250,
  vxlan: 8472,
  http: 80,
  https: 443,
  /** node-exporter on every Kubernetes node's host network (addons.monitoring) */
  nodeExporter: 9100,
} as const;

/** Ports that must never be reachable from outside the cluster's own groups. */
export const INTERNAL_PORTS: readonly number[] = [PORTS.etcdClient, PORTS.etcdPeer, PORTS.kubelet, PORTS.vxlan, PORTS.nodeExporter];

/** Port of the local API load balancer every Kubernetes node runs on 127.0.0.1. */
export const API_LB_PORT = 7443;
