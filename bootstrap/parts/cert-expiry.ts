// On every machine: a daily look at when each of its certificates expires (scripts/cert-expiry.sh),
// in the journal and as a node-exporter textfile metric — so an expiry is seen weeks before it
// stops the cluster, not on the day.
import type { Part } from "../node";
import { KUBELET } from "./kubelet";
import { PATHS, script, UNIT_PATH } from "./files";

export const CERT_METRICS = "/var/lib/node-exporter/textfile/slipway-certificates.prom";

export const certExpiryPart: Part = {
  name: "cert-expiry",
  apply(b) {
    const run = script(b, "cert-expiry");
    b.unit(
      "cert-expiry.service",
      `[Unit]
Description=Report when this machine's certificates expire

[Service]
Type=oneshot
${UNIT_PATH}
Environment=CERT_DIRS=${[PATHS.etcdTls, PATHS.kubePki, KUBELET.certDir].join(":")}
Environment=CERT_METRICS=${CERT_METRICS}
Environment=CERT_WARN_DAYS=30
ExecStart=${run}
`,
    );
    b.unit(
      "cert-expiry.timer",
      `[Unit]
Description=Report when this machine's certificates expire, daily

[Timer]
OnBootSec=10min
OnUnitActiveSec=1d
RandomizedDelaySec=1h

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );
  },
};
