// Who this machine is to its cloud and to the cluster, found at boot from the cloud's metadata by
// the cloud's own script (its descriptor names it): the provider id the kubelet registers with
// (so a cloud controller manager can be added without replacing nodes) and the one address the
// machine reaches the cluster from — what the kubelet and register_node use, never docker0,
// cni0 or flannel.1.
import { cloudOf } from "../../clusters/model/clouds";
import type { Part } from "../node";
import { PATHS, script } from "./files";

export const NODE_IDENTITY = "/run/slipway/node-identity.env";

export const nodeIdentityPart: Part = {
  name: "node-identity",
  apply(b, ctx) {
    const run = script(b, "node-identity", cloudOf(ctx.cluster.config).identityScript);
    // any etcd member: every machine routes to it from its cluster address
    const member = ctx.cluster.plan.etcd[0]?.ip ?? "";
    b.unit(
      "node-identity.service",
      `[Unit]
Description=Find this machine's cloud identity and cluster address (${NODE_IDENTITY})
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=true
Environment=PATH=${PATHS.bin}:/usr/sbin:/usr/bin:/sbin:/bin
Environment=NODE_IDENTITY=${NODE_IDENTITY}
Environment=CLUSTER_ADDRESS=${member}
ExecStart=${run}

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};
