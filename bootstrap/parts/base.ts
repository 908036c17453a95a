// What every Slipway machine gets regardless of role: its host name, the operators' SSH keys on
// the `core` user, and a small environment file that later parts and operators can read.
import type { Part } from "../node";

export const base: Part = {
  name: "base",
  apply(b, ctx) {
    const { config } = ctx.cluster;
    b.file("/etc/hostname", ctx.values.hostname, { mode: 0o644 });
    if (config.ssh.authorizedKeys.length > 0) b.user("core", config.ssh.authorizedKeys);
    b.directory("/etc/slipway", 0o755);
    b.file(
      "/etc/slipway/node.env",
      [
        `SLIPWAY_CLUSTER=${config.name}\n`,
        `SLIPWAY_ROLE=${ctx.role}\n`,
        ...(ctx.pool ? [`SLIPWAY_POOL=${ctx.pool.name}\n`] : []),
        ...(ctx.node ? [`SLIPWAY_NODE_IP=${ctx.node.ip}\n`] : []),
      ],
      { mode: 0o644 },
    );
  },
};
