// On masters: drain-nodes.service drains the nodes that ask for it before their update reboot and
// uncordons them after (scripts/drain-nodes.sh; the asking side: scripts/coordinate-reboot.sh).
// The masters do it with their own identity, so no node needs the right to evict others' pods.
import type { Part } from "../node";
import { KUBECONFIGS } from "./control-plane";
import { PATHS, script, UNIT_PATH } from "./files";

export const DRAIN_PREFIX = "/slipway/drain";

export const drainNodesPart: Part = {
  name: "drain-nodes",
  apply(b) {
    const run = script(b, "drain-nodes");
    b.unit(
      "drain-nodes.service",
      `[Unit]
Description=Drain nodes before their update reboot and uncordon them after
After=kube-bootstrap.service etcd-proxy.service
# a loop that must never give up
StartLimitIntervalSec=0

[Service]
${UNIT_PATH}
EnvironmentFile=${PATHS.env}/etcdctl.env
Environment=KUBECONFIG=${KUBECONFIGS.superAdmin}
Environment=DRAIN_PREFIX=${DRAIN_PREFIX}
ExecStart=${run}
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};
