// Container images the node configs run, pinned. One place to bump them.
// etcd: 3.6 is what Kubernetes 1.34+ ships with (kubeadm) and what kubespray pins in 2026.
// flannel: 0.28 is current; it talks to etcd through the v3 API.
export const IMAGES = {
  etcd: "quay.io/coreos/etcd:v3.6.14",
  flannel: "docker.io/flannel/flannel:v0.28.5",
} as const;
