// register_node: every machine records itself in etcd (hostname, role, pool, addresses, boot id)
// under a lease that its timer keeps alive; a dead machine's record expires by itself.
import type { Part } from "../node";
import { PATHS, script, UNIT_PATH } from "./files";

export const REGISTER_NODE = { prefix: "/slipway/nodes", ttlSeconds: 60, refreshSeconds: 20 } as const;

export const registerNodePart: Part = {
  name: "register-node",
  apply(b) {
    const run = script(b, "register-node");
    script(b, "etcdctl");
    b.unit(
      "register-node.service",
      `[Unit]
Description=Record this machine in etcd under a lease (${REGISTER_NODE.prefix}/<hostname>)
After=etcd-proxy.service

[Service]
Type=oneshot
${UNIT_PATH}
EnvironmentFile=${PATHS.env}/etcdctl.env
EnvironmentFile=${PATHS.env}/node.env
Environment=REGISTER_NODE_PREFIX=${REGISTER_NODE.prefix}
Environment=REGISTER_NODE_TTL=${REGISTER_NODE.ttlSeconds}
ExecStart=${run}
`,
    );
    b.unit(
      "register-node.timer",
      `[Unit]
Description=Keep this machine's etcd record alive

[Timer]
OnBootSec=10s
OnUnitActiveSec=${REGISTER_NODE.refreshSeconds}s
AccuracySec=1s

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );
  },
};
