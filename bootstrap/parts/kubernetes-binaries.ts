// kubelet and kubectl (and the standard CNI plugins) come from Flatcar's Kubernetes system
// extension: either baked into the image (nothing downloaded) or fetched at first boot and
// verified against the SHA-512 in the cluster file. Either way the machine notices a baked
// extension and skips the download.
import type { Part } from "../node";
import { cloudOf } from "../../clusters/model/clouds";
import { systemdWord } from "../../clusters/model/escape";
import { sysextPath, sysextUrl } from "../../clusters/model/sysext";
import { script } from "./files";

export const kubernetesBinariesPart: Part = {
  name: "kubernetes-binaries",
  apply(b, ctx) {
    const k = ctx.cluster.config.kubernetes;
    const install = script(b, "install-sysext");
    const arch = cloudOf(ctx.cluster.config).sysextArch(ctx.cluster.config);
    const file = sysextPath(k.version, arch);
    // the URL is the user's: one quoted word for systemd (its % and $ are specifiers and variables)
    const download =
      k.binaries.source === "sysext" ? ` ${systemdWord(k.binaries.url ?? sysextUrl(k.version, arch))} ${k.binaries.sha512}` : "";
    b.unit(
      "kubernetes-sysext.service",
      `[Unit]
Description=Kubernetes ${k.version} system extension (kubelet, kubectl, CNI plugins)
Wants=network-online.target
After=network-online.target
Before=kubelet.service

[Service]
Type=oneshot
RemainAfterExit=true
ExecStart=${install} kubernetes ${file}${download}
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};
