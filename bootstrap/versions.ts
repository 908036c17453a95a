// Container images and downloads the node configs use, pinned. One place to bump them.
//   etcd 3.6: what Kubernetes 1.34+ ships with (kubeadm) and kubespray pins in 2026.
//   flannel 0.28 and its CNI plugin: the pair flannel's own manifest references.
//   haproxy 3.2 (LTS): the local API load balancer on every Kubernetes node.
//   Control-plane images follow the cluster's Kubernetes version (registry.k8s.io).
export const IMAGES = {
  etcd: "quay.io/coreos/etcd:v3.6.14",
  flannel: "ghcr.io/flannel-io/flannel:v0.28.9",
  flannelCni: "ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3",
  haproxy: "docker.io/library/haproxy:3.2-alpine",
  pause: "registry.k8s.io/pause:3.10",
  coredns: "registry.k8s.io/coredns/coredns:v1.13.1",
} as const;

/** registry.k8s.io image of a control-plane component at the cluster's Kubernetes version. */
export function kubeImage(
  component: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kube-proxy",
  version: string,
): string {
  return `registry.k8s.io/${component}:v${version}`;
}
