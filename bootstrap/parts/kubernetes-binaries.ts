// kubelet and kubectl (and the standard CNI plugins) come from Flatcar's Kubernetes system
// extension: baked into the image (nothing downloaded), or placed by Ignition itself at first boot
// — downloaded before the real root boots, verified against the file's SHA-512 when it gives one,
// and linked from /etc/extensions so Flatcar's systemd-sysext merges it at boot like its own
// docker and containerd extensions. Nothing restarts systemd-sysext later: that would unmerge
// those while they start.
import { kubernetesBinaries, SYSEXT_LINK } from "../../clusters/model/sysext";
import type { Part } from "../node";

export const kubernetesBinariesPart: Part = {
  name: "kubernetes-binaries",
  apply(b, ctx) {
    const k = kubernetesBinaries(ctx.cluster.config);
    if (k.source === "image") return; // the image carries both the file and its link
    b.directory("/opt/extensions", 0o755).directory("/opt/extensions/kubernetes", 0o755);
    b.remoteFile(k.path, k.url as string, k.sha512 ? `sha512-${k.sha512}` : undefined, 0o644);
    b.directory("/etc/extensions", 0o755);
    b.link(SYSEXT_LINK, k.path);
  },
};
