// `slipway render`: argument checks, then bootstrap/render.ts, then an atomic write (the config
// holds private keys: mode 0600, and nothing half-written).
import { chmodSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeTarget } from "../bootstrap/node";
import { renderNode } from "../bootstrap/render";
import type { Cluster } from "../stacks/model/load";
import type { RenderCliOptions } from "./cli";
import { UsageError } from "./errors";

export async function renderCommand(cluster: Cluster, opts: RenderCliOptions): Promise<void> {
  if (!/^\d+$/.test(opts.index)) throw new UsageError(`--index must be a whole number, not "${opts.index}"`);
  const index = Number(opts.index);
  const { plan } = cluster;
  let target: NodeTarget;
  if (opts.role === "worker") {
    const pool = opts.pool ?? plan.pools[0]?.name ?? "";
    const p = plan.pools.find((x) => x.name === pool);
    if (!p)
      throw new UsageError(`--pool ${pool}: ${cluster.file} has no such worker pool (pools: ${plan.pools.map((x) => x.name).join(", ")})`);
    target = { role: "worker", pool };
  } else {
    if (opts.pool) throw new UsageError(`--pool applies to --role worker only`);
    const n = opts.role === "etcd" ? plan.etcd.length : plan.masters.length;
    if (index >= n)
      throw new UsageError(`--index ${index}: ${cluster.file} has ${n} ${opts.role === "etcd" ? "etcd members" : "masters"} (0..${n - 1})`);
    target = { role: opts.role, index };
  }
  const pkiDir = opts.pki ?? join("slipway-pki", cluster.config.name);
  const r = await renderNode(cluster, {
    target,
    index,
    pkiDir,
    dataDevice: opts.dataDevice,
    logsDevice: opts.logsDevice,
    wrapped: opts.wrapped,
  });

  if (opts.out && opts.out !== "-") {
    const tmp = `${opts.out}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, `${r.config}\n`, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, opts.out);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new UsageError(
        `cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : (e as Error).message}`,
      );
    }
    const what = target.role === "worker" ? `worker ${r.hostname} (pool ${target.pool})` : `${target.role} ${r.hostname}`;
    process.stderr.write(
      `Rendered ${what} → ${opts.out} (${Buffer.byteLength(r.config).toLocaleString("en")} B${opts.wrapped ? ", user_data form" : ""}); ` +
        `PKI in ${pkiDir}${r.issued.length ? ` (issued ${r.issued.length} of its certificates, keys and tokens)` : " (reused)"}\n`,
    );
  } else process.stdout.write(`${r.config}\n`);
}
