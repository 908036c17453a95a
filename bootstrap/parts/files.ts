// Where things live on a Slipway machine, and the shared helpers parts use to put them there.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { IgnitionBuilder } from "../ignition/builder";
import type { NodeContext } from "../node";

export const PATHS = {
  bin: "/opt/slipway/bin",
  env: "/etc/slipway",
  etcdTls: "/etc/ssl/etcd",
  kube: "/etc/kubernetes",
  kubePki: "/etc/kubernetes/pki",
  manifests: "/etc/kubernetes/manifests",
} as const;

/** PATH for units running Slipway's scripts: ours first, so `etcdctl` is the wrapper. */
export const UNIT_PATH = `Environment=PATH=${PATHS.bin}:/usr/sbin:/usr/bin:/sbin:/bin`;

/**
 * A node script, installed executable under /opt/slipway/bin: from bootstrap/scripts, or a
 * cloud's own (`source`, a path in the repository). Comment lines stay in the repository
 * (user_data is small): the installed copy names its source.
 */
export function script(
  b: IgnitionBuilder,
  name: string,
  source = `bootstrap/scripts/${name}.sh`,
  /** scripts whose bodies come first (functions the script calls, e.g. its cloud's part) */
  before: string[] = [],
): string {
  const path = `${PATHS.bin}/${name}`;
  if (!b.files.has(path)) {
    b.directory("/opt/slipway", 0o755).directory(PATHS.bin, 0o755);
    const read = (src: string) => readFileSync(join(__dirname, "..", "..", src), "utf8").split("\n");
    const [shebang, ...body] = read(source);
    const code = [...before.flatMap((src) => read(src).slice(1)), ...body].filter(
      (l) => !/^\s*#(?! shellcheck)/.test(l) && l.trim() !== "",
    );
    const from = [...before, source].join(" + ");
    b.file(path, [shebang, `# slipway: ${from} (documented there)`, ...code, ""].join("\n"), { mode: 0o755 });
  }
  return path;
}

/** KEY=value lines for an EnvironmentFile. */
export function envFile(vars: Record<string, string>): string {
  for (const [k, v] of Object.entries(vars))
    if (/[\s"'\\$`]/.test(v))
      throw new Error(`environment value of ${k} needs quoting, which EnvironmentFile and --env-file read differently: ${v}`);
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}

/** The etcd CA certificate, which several parts need; written once. */
export function etcdCaFile(b: IgnitionBuilder, ctx: NodeContext, caName: string): string {
  const path = `${PATHS.etcdTls}/ca.crt`;
  if (!b.files.has(path)) {
    b.directory(PATHS.etcdTls, 0o755);
    b.file(path, ctx.values.pem(caName, "cert"), { mode: 0o644 });
  }
  return path;
}

/** Install a certificate and its key from the cluster PKI as <dir>/<file>.crt and .key. */
export function certPair(b: IgnitionBuilder, ctx: NodeContext, pkiName: string, file: string, dir: string = PATHS.etcdTls): void {
  b.directory(dir, 0o755);
  b.file(`${dir}/${file}.crt`, ctx.values.pem(pkiName, "cert"), { mode: 0o644 });
  b.file(`${dir}/${file}.key`, ctx.values.pem(pkiName, "key"), { mode: 0o600 });
}

/**
 * A service that runs a loop of ours for as long as the machine runs: restarted whenever it ends,
 * and never given up on (no start limit: etcd or the API may be away for a long time).
 */
export function foreverService(
  b: IgnitionBuilder,
  unit: string,
  s: { description: string; unit?: string[]; service: string[]; exec: string; restartSec?: number },
): void {
  b.unit(
    unit,
    `[Unit]
Description=${s.description}
${[...(s.unit ?? []), "StartLimitIntervalSec=0"].join("\n")}

[Service]
${UNIT_PATH}
${s.service.join("\n")}
ExecStart=${s.exec}
Restart=always
RestartSec=${s.restartSec ?? 10}

[Install]
WantedBy=multi-user.target
`,
    { enabled: true },
  );
}
