// What every Slipway machine gets regardless of role: its host name, the operators' SSH keys on
// the `core` user, the pinned images, and an environment file describing the machine.
import type { Part } from "../node";
import { IMAGES, imageRef } from "../versions";
import { envFile, PATHS } from "./files";

export const base: Part = {
  name: "base",
  apply(b, ctx) {
    const { config } = ctx.cluster;
    if (ctx.values.hostname !== undefined) b.file("/etc/hostname", ctx.values.hostname, { mode: 0o644 });
    if (config.ssh.authorizedKeys.length > 0) b.user("core", config.ssh.authorizedKeys);
    b.directory(PATHS.env, 0o755);
    b.file(
      `${PATHS.env}/node.env`,
      envFile({
        SLIPWAY_CLUSTER: config.name,
        SLIPWAY_ROLE: ctx.role,
        ...(ctx.pool ? { SLIPWAY_POOL: ctx.pool.name } : {}),
        ...(ctx.node ? { SLIPWAY_NODE_IP: ctx.node.ip } : {}),
      }),
    );
    b.file(`${PATHS.env}/images.env`, envFile({ ETCD_IMAGE: imageRef(IMAGES.etcd), FLANNEL_IMAGE: imageRef(IMAGES.flannel) }));
  },
};
