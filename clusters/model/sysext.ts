// Flatcar's Kubernetes system extension (kubelet, kubectl, the CNI plugins) from the sysext-bakery:
// where it comes from and where it lives on a machine. Shared by the image builder, which bakes it
// in at exactly this path, and the node configs, which have Ignition place it there otherwise.
import { cloudOf } from "./clouds";
import type { ClusterConfig } from "./schema";

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

/** Where a cluster's machines get kubelet and kubectl from, as the file says or by default. */
export interface KubernetesBinaries {
  source: "image" | "sysext";
  /** the extension on the machine */
  path: string;
  arch: SysextArch;
  /** (sysext) where Ignition downloads it from */
  url?: string;
  /** (sysext) its SHA-512, when the file pins it */
  sha512?: string;
}

export function kubernetesBinaries(config: ClusterConfig): KubernetesBinaries {
  const cloud = cloudOf(config);
  const k = config.kubernetes;
  const arch = cloud.sysextArch(config);
  const source = k.binaries.source ?? (cloud.bakedKubernetes(config) === k.version ? "image" : "sysext");
  const path = sysextPath(k.version, arch);
  if (source === "image") return { source, path, arch };
  return {
    source,
    path,
    arch,
    url: k.binaries.url ?? sysextUrl(k.version, arch),
    ...(k.binaries.sha512 ? { sha512: k.binaries.sha512 } : {}),
  };
}
