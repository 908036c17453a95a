// What the kernel of a Kubernetes node must do for pods: load br_netfilter (and overlay, for
// containerd's snapshots) at every boot, let bridged pod traffic pass iptables — kube-proxy's
// Service rules depend on it — and forward packets between pods, nodes and the outside.
import type { Part } from "../node";

export const KERNEL_MODULES = ["br_netfilter", "overlay"] as const;
export const KERNEL_SYSCTLS = {
  "net.bridge.bridge-nf-call-iptables": "1",
  "net.bridge.bridge-nf-call-ip6tables": "1",
  "net.ipv4.ip_forward": "1",
} as const;

export const kernelPart: Part = {
  name: "kernel",
  apply(b) {
    b.directory("/etc/modules-load.d", 0o755).directory("/etc/sysctl.d", 0o755);
    b.file("/etc/modules-load.d/slipway-kubernetes.conf", `${KERNEL_MODULES.join("\n")}\n`);
    // systemd-sysctl runs after systemd-modules-load: the bridge keys exist by then
    b.file(
      "/etc/sysctl.d/60-slipway-kubernetes.conf",
      Object.entries(KERNEL_SYSCTLS)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(""),
    );
  },
};
