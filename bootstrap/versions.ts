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

/** The system extensions' name for the machines' architecture. */
export function sysextArch(config: { cloud: string; image: unknown }): "x86-64" | "arm64" {
  return config.cloud === "aws" && (config.image as { arch?: string }).arch === "arm64" ? "arm64" : "x86-64";
}

/** Flatcar's Kubernetes system extension (kubelet, kubectl, CNI plugins) from the sysext-bakery. */
export function sysextUrl(version: string, arch: "x86-64" | "arm64" = "x86-64"): string {
  return `https://github.com/flatcar/sysext-bakery/releases/download/kubernetes-v${version}/kubernetes-v${version}-${arch}.raw`;
}

/** Where the extension lives on a machine — downloaded at first boot, or baked in by `slipway image build`. */
export function sysextPath(version: string, arch: "x86-64" | "arm64" = "x86-64"): string {
  return `/opt/extensions/kubernetes/kubernetes-v${version}-${arch}.raw`;
}
