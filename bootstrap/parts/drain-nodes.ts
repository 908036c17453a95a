// On masters: drain-nodes.service drains the nodes that ask for it before their update reboot and
// uncordons them after (scripts/drain-nodes.sh; the asking side: scripts/coordinate-reboot.sh).
// The masters do it with their own identity, so no node needs the right to evict others' pods.
import type { Part } from "../node";
import { ETCDCTL_ENV } from "./etcd-proxy";
import { KUBECONFIGS } from "./control-plane";
import { foreverService, script } from "./files";

export const DRAIN_PREFIX = "/slipway/drain";

export const drainNodesPart: Part = {
  name: "drain-nodes",
  apply(b) {
    const run = script(b, "drain-nodes");
    foreverService(b, "drain-nodes.service", {
      description: "Drain nodes before their update reboot and uncordon them after",
      unit: ["After=kube-bootstrap.service etcd-proxy.service"],
      service: [
        `EnvironmentFile=${ETCDCTL_ENV}`,
        `Environment=KUBECONFIG=${KUBECONFIGS.superAdmin}`,
        `Environment=DRAIN_PREFIX=${DRAIN_PREFIX}`,
      ],
      exec: run,
    });
  },
};
