// `slipway render`: argument checks, then bootstrap/render.ts, then a safe write. The config holds
// private keys: it is written with mode 0600 through a private scratch file, never over a file
// slipway did not render, never through a symbolic link, and never onto a terminal unless asked.
import type { NodeTarget } from "../bootstrap/node";
import { unwrapConfig } from "../bootstrap/ignition/render";
import { renderNode } from "../bootstrap/render";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import { mayReplace, writeFileSafely } from "../clusters/model/safe-files";
import type { RenderCliOptions } from "./cli";
import { UsageError } from "./errors";
import { join } from "node:path";

/** A whole number as the user wrote it: digits only, and exactly representable. */
export function wholeNumber(option: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`${option} must be a whole number, not "${printable(text)}"`);
  return n;
}

/** Whether `bytes` is a config `slipway render` wrote (plain or user_data form). */
export function isRenderedConfig(bytes: Buffer): boolean {
  try {
    let config = JSON.parse(bytes.toString("utf8")) as { ignition?: { version?: unknown; config?: unknown } };
    if (config.ignition?.config) config = JSON.parse(unwrapConfig(bytes.toString("utf8")));
    const files = (config as { storage?: { files?: { path?: unknown }[] } }).storage?.files;
    return typeof config.ignition?.version === "string" && Array.isArray(files) && files.some((f) => f?.path === "/etc/slipway/node.env");
  } catch {
    return false;
  }
}

function target(cluster: Cluster, opts: RenderCliOptions, index: number): NodeTarget {
  const { plan } = cluster;
  const file = printable(cluster.file);
  if (opts.role === "worker") {
    const pool = opts.pool ?? plan.pools[0]?.name ?? "";
    const p = plan.pools.find((x) => x.name === pool);
    if (!p)
      throw new UsageError(
        `--pool ${printable(pool)}: ${file} has no such worker pool (pools: ${plan.pools.map((x) => x.name).join(", ")})`,
      );
    if (index >= p.count)
      throw new UsageError(
        p.count === 0
          ? `--index ${index}: pool ${pool} of ${file} has no machines (count: 0)`
          : `--index ${index}: pool ${pool} of ${file} has ${p.count} machine${p.count === 1 ? "" : "s"} (0..${p.count - 1})`,
      );
    return { role: "worker", pool };
  }
  if (opts.pool) throw new UsageError("--pool applies to --role worker only");
  const n = opts.role === "etcd" ? plan.etcd.length : plan.masters.length;
  if (index >= n)
    throw new UsageError(`--index ${index}: ${file} has ${n} ${opts.role === "etcd" ? "etcd members" : "masters"} (0..${n - 1})`);
  return { role: opts.role, index };
}

export async function renderCommand(cluster: Cluster, opts: RenderCliOptions): Promise<void> {
  const index = wholeNumber("--index", opts.index);
  const t = target(cluster, opts, index);
  const toStdout = opts.out === undefined || opts.out === "-";
  if (opts.out === undefined && process.stdout.isTTY)
    throw new UsageError("the config holds private keys: not printing it on a terminal; give --out FILE (or --out - to print it anyway)");
  if (opts.out === "") throw new UsageError("--out needs a file name (or - for standard output)");
  // refuse before any key is issued
  if (!toStdout) mayReplace(opts.out as string, "an Ignition config", isRenderedConfig);

  const pkiDir = opts.pki ?? join("slipway-pki", cluster.config.name);
  const r = await renderNode(cluster, {
    target: t,
    index,
    pkiDir,
    dataDevice: opts.dataDevice,
    logsDevice: opts.logsDevice,
    wrapped: opts.wrapped,
  });

  if (toStdout) {
    process.stdout.write(`${r.config}\n`);
    return;
  }
  const out = opts.out as string;
  mayReplace(out, "an Ignition config", isRenderedConfig); // again: the PKI took a while
  writeFileSafely(out, `${r.config}\n`, 0o600);
  const what = t.role === "worker" ? `worker ${r.hostname} (pool ${t.pool})` : `${t.role} ${r.hostname}`;
  process.stderr.write(
    `Rendered ${what} → ${printable(out)} (${Buffer.byteLength(r.config).toLocaleString("en")} B${opts.wrapped ? ", user_data form" : ""}); ` +
      `PKI in ${printable(pkiDir)}${r.issued.length ? ` (issued ${r.issued.length} of its certificates, keys and tokens)` : " (reused)"}\n`,
  );
  if (r.withoutSecrets.length)
    process.stderr.write(
      `  without the cloud credentials Terraform makes (${r.withoutSecrets.join(", ")}): ${
        t.role === "etcd" ? "this member takes no backups" : "its cloud controllers wait for them"
      }\n`,
    );
}
