// Flatcar's Kubernetes system extension (kubelet, kubectl, the CNI plugins) from the sysext-bakery:
// where it comes from and where it lives on a machine. Shared by the image builder, which bakes it
// in at exactly this path, and the node configs, which install it from there.

export type SysextArch = "x86-64" | "arm64";

export function sysextUrl(version: string, arch: SysextArch = "x86-64"): string {
  return `https://github.com/flatcar/sysext-bakery/releases/download/kubernetes-v${version}/kubernetes-v${version}-${arch}.raw`;
}

/** Where the extension lives on a machine — downloaded at first boot, or baked in by `slipway image build`. */
export function sysextPath(version: string, arch: SysextArch = "x86-64"): string {
  return `/opt/extensions/kubernetes/kubernetes-v${version}-${arch}.raw`;
}

/** Where it is linked from: systemd-sysext merges /etc/extensions/*.raw at boot. */
export const SYSEXT_LINK = "/etc/extensions/kubernetes.raw";
