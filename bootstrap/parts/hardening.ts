// What every machine gets to be safe to run unattended:
// - pods cannot reach the cloud metadata service (user_data holds secrets);
// - journald keeps bounded logs;
// - Flatcar's automatic updates reboot one machine of a group at a time, coordinated through etcd
//   under a lease its holder refreshes (scripts/coordinate-reboot.sh): etcd members and masters
//   form one group, so they never reboot together; Kubernetes nodes are drained first.
import { ETCDCTL_ENV } from "./etcd-proxy";
import { PORTS } from "../../clusters/model/ports";
import { cloudOf } from "../../clusters/model/clouds";
import type { Part } from "../node";
import { DRAIN_PREFIX } from "./drain-nodes";
import { ETCD_METRICS } from "./etcd-member";
import { envFile, PATHS, script, UNIT_PATH } from "./files";

/** The reboot group of a machine, how it tells it is healthy again, and whether it is drained first. */
export function rebootGroup(ctx: Parameters<Part["apply"]>[1]): { group: string; healthCheck: string; drain: boolean } {
  if (ctx.role === "etcd") return { group: "control", healthCheck: `curl -fsS ${ETCD_METRICS}/health`, drain: false };
  if (ctx.role === "master")
    return { group: "control", healthCheck: `curl -fsSk https://127.0.0.1:${PORTS.apiserver}/readyz`, drain: true };
  return { group: `pool-${ctx.pool?.name}`, healthCheck: "curl -fsS http://127.0.0.1:10248/healthz", drain: true };
}

export const metadataBlockPart: Part = {
  name: "metadata-block",
  apply(b, ctx) {
    const run = script(b, "block-metadata");
    b.unit(
      "block-metadata.service",
      `[Unit]
Description=Keep pods away from the cloud metadata service
Before=kubelet.service
After=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
ExecStart=${run} ${ctx.cluster.config.network.pods} ${cloudOf(ctx.cluster.config).metadataAddress}

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};

export const hardeningPart: Part = {
  name: "hardening",
  apply(b, ctx) {
    b.directory("/etc/systemd/journald.conf.d", 0o755);
    b.file(
      "/etc/systemd/journald.conf.d/10-slipway.conf",
      "[Journal]\nStorage=persistent\nSystemMaxUse=2G\nSystemMaxFileSize=128M\nMaxRetentionSec=1month\n",
    );

    // Flatcar installs updates by itself; the reboot is ours to coordinate.
    b.directory("/etc/flatcar", 0o755);
    b.file("/etc/flatcar/update.conf", "REBOOT_STRATEGY=off\n");
    b.mask("locksmithd.service");
    const { group, healthCheck, drain } = rebootGroup(ctx);
    b.file(`${PATHS.env}/reboot.env`, envFile({ REBOOT_GROUP: group, REBOOT_DRAIN: drain ? "yes" : "no", DRAIN_PREFIX: DRAIN_PREFIX }));
    const run = script(b, "coordinate-reboot");
    script(b, "etcdctl");
    b.unit(
      "coordinate-reboot.service",
      `[Unit]
Description=Reboot for an installed update, one machine of group ${group} at a time
After=etcd-proxy.service

[Service]
Type=oneshot
# waiting for a drain may take long; the timer starts no second run meanwhile
TimeoutStartSec=infinity
${UNIT_PATH}
EnvironmentFile=${ETCDCTL_ENV}
EnvironmentFile=${PATHS.env}/reboot.env
Environment="REBOOT_HEALTH_CHECK=${healthCheck}"
ExecStart=${run}
`,
    );
    b.unit(
      "coordinate-reboot.timer",
      `[Unit]
Description=Check for an installed update waiting for its reboot

[Timer]
OnBootSec=3min
OnUnitActiveSec=5min
RandomizedDelaySec=60

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );
  },
};
