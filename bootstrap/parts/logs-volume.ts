// A worker pool's logs volume, mounted at /var/log before journald starts writing there. If the
// volume has not appeared within two minutes the machine boots with logs on its root disk rather
// than not at all; the failed unit shows it.
import type { Part } from "../node";
import { PATHS, script } from "./files";

export const logsVolumePart: Part = {
  name: "logs-volume",
  apply(b, ctx) {
    if (!ctx.pool?.logsVolumeSize) return;
    b.file(`${PATHS.env}/logs-volume.env`, ["LOGS_VOLUME=", ctx.values.volume("logs"), "\n"]);
    const prepare = script(b, "prepare-volume");
    b.unit(
      "logs-volume.service",
      `[Unit]
Description=Logs volume at /var/log
DefaultDependencies=no
After=local-fs-pre.target systemd-udev-settle.service
Before=systemd-journal-flush.service local-fs.target

[Service]
Type=oneshot
RemainAfterExit=true
EnvironmentFile=${PATHS.env}/logs-volume.env
Environment=PREPARE_VOLUME_TIMEOUT=120
ExecStart=${prepare} \${LOGS_VOLUME} /var/log logs
# the journal is persistent on the volume: journald keeps it only where /var/log/journal exists
ExecStartPost=/usr/bin/mkdir -p /var/log/journal
ExecStartPost=/usr/bin/systemd-tmpfiles --create --prefix /var/log/journal

[Install]
WantedBy=local-fs.target
`,
      { enabled: true },
    );
  },
};
