// The container runtime for the kubelet: Flatcar's containerd with our own config (systemd
// cgroups, which kubelet's cgroupDriver must match; the pinned pause image; CNI from /opt/cni),
// selected with the drop-in Flatcar documents for a custom config.
import type { Part } from "../node";
import { IMAGES, imageRef } from "../versions";

export const CONTAINERD_CONFIG = "/etc/containerd/config.toml";
export const CONTAINERD_SOCKET = "/run/containerd/containerd.sock";

export const containerdPart: Part = {
  name: "containerd",
  apply(b) {
    b.directory("/etc/containerd", 0o755);
    b.file(
      CONTAINERD_CONFIG,
      `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
oom_score = -999

[grpc]
address = "${CONTAINERD_SOCKET}"

[plugins."io.containerd.grpc.v1.cri"]
sandbox_image = "${imageRef(IMAGES.pause)}"

[plugins."io.containerd.grpc.v1.cri".containerd]
default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
SystemdCgroup = true

[plugins."io.containerd.grpc.v1.cri".cni]
bin_dir = "/opt/cni/bin"
conf_dir = "/etc/cni/net.d"
`,
    );
    b.dropin(
      "containerd.service",
      "10-slipway-config.conf",
      `[Service]\nExecStart=\nExecStart=/usr/bin/containerd --config ${CONTAINERD_CONFIG}\n`,
    );
  },
};
