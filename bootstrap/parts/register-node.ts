// register_node: every machine records itself in etcd (hostname, role, pool, its cluster address,
// boot id) under a lease that one long-lived keep-alive refreshes; a dead machine's record
// expires by itself, a machine cut off from etcd registers again when it is back.
import type { Part } from "../node";
import { ETCDCTL_ENV } from "./etcd-proxy";
import { PATHS, foreverService, script } from "./files";
import { NODE_IDENTITY } from "./node-identity";

export const REGISTER_NODE = { prefix: "/slipway/nodes", ttlSeconds: 60 } as const;

export const registerNodePart: Part = {
  name: "register-node",
  apply(b) {
    const run = script(b, "register-node");
    script(b, "etcdctl");
    foreverService(b, "register-node.service", {
      description: `Keep this machine recorded in etcd under a lease (${REGISTER_NODE.prefix}/<hostname>)`,
      unit: ["Wants=etcd-proxy.service", "After=etcd-proxy.service node-identity.service", "Requires=node-identity.service"],
      service: [
        `EnvironmentFile=${ETCDCTL_ENV}`,
        `EnvironmentFile=${PATHS.env}/node.env`,
        `EnvironmentFile=${NODE_IDENTITY}`,
        `Environment=REGISTER_NODE_PREFIX=${REGISTER_NODE.prefix}`,
        `Environment=REGISTER_NODE_TTL=${REGISTER_NODE.ttlSeconds}`,
      ],
      exec: run,
      restartSec: 5,
    });
  },
};
