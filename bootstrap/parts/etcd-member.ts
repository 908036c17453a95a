// An etcd member (etcd machines only). Settings live in /etc/etcd/etcd.env as ETCD_* variables,
// which the container reads with --env-file: the static initial cluster comes from the address
// plan (no discovery service), peers and clients authenticate with certificates, and the data
// directory is on the member's own volume, formatted only when empty and mounted before etcd
// starts — so a replaced machine rejoins with its data.
import { PORTS } from "../../clusters/model/ports";
import type { Part } from "../node";
import { etcdAuthConfig } from "../pki/etcd-users";
import { ETCD_CA, ETCD_ROOT, etcdMember, nodeGroups } from "../pki/spec";
import { certPair, envFile, etcdCaFile, PATHS, script, UNIT_PATH } from "./files";
import { containerService, unitVar } from "./container";

export const ETCD_DATA = "/var/lib/etcd";
export const ETCD_ENV = "/etc/etcd/etcd.env";
/** etcd-join's decision for this start: ETCD_* overrides (empty when etcd.env stands) */
export const ETCD_JOIN_ENV = "/run/etcd/join.env";
export const ETCD_SEED_FILE = "/etc/etcd/etcd-seed";
export const ETCD_AUTH_CONFIG = "/etc/etcd/auth.conf";
/** etcd's own metrics and /health, only on the machine itself */
export const ETCD_METRICS = "http://127.0.0.1:2381";
/** etcd-health asks again this often before it fails: an election or a catch-up is no failure */
export const ETCD_HEALTH = { retries: 8, delaySeconds: 5 } as const;

export function etcdEnv(ctx: Parameters<Part["apply"]>[1]): Record<string, string> {
  const { cluster, node } = ctx;
  if (!node) throw new Error("etcd member part needs a planned etcd machine");
  const tls = PATHS.etcdTls;
  const peer = (ip: string) => `https://${ip}:${PORTS.etcdPeer}`;
  const client = `https://${node.ip}:${PORTS.etcdClient}`;
  return {
    ETCD_NAME: node.name,
    // a directory inside the volume: the volume's root holds lost+found
    ETCD_DATA_DIR: `${ETCD_DATA}/data`,
    ETCD_LISTEN_PEER_URLS: peer(node.ip),
    ETCD_INITIAL_ADVERTISE_PEER_URLS: peer(node.ip),
    // only the machine's own address: 127.0.0.1:2379 belongs to the etcd proxy
    ETCD_LISTEN_CLIENT_URLS: client,
    ETCD_ADVERTISE_CLIENT_URLS: client,
    ETCD_LISTEN_METRICS_URLS: ETCD_METRICS,
    ETCD_INITIAL_CLUSTER: cluster.plan.etcd.map((m) => `${m.name}=${peer(m.ip)}`).join(","),
    ETCD_INITIAL_CLUSTER_STATE: "new",
    ETCD_INITIAL_CLUSTER_TOKEN: cluster.config.name,
    ETCD_STRICT_RECONFIG_CHECK: "true",
    ETCD_TRUSTED_CA_FILE: `${tls}/ca.crt`,
    ETCD_CERT_FILE: `${tls}/member.crt`,
    ETCD_KEY_FILE: `${tls}/member.key`,
    ETCD_CLIENT_CERT_AUTH: "true",
    ETCD_PEER_TRUSTED_CA_FILE: `${tls}/ca.crt`,
    ETCD_PEER_CERT_FILE: `${tls}/member.crt`,
    ETCD_PEER_KEY_FILE: `${tls}/member.key`,
    ETCD_PEER_CLIENT_CERT_AUTH: "true",
    // keep one hour of history; without compaction the database only grows
    ETCD_AUTO_COMPACTION_MODE: "periodic",
    ETCD_AUTO_COMPACTION_RETENTION: "1",
    ETCD_LOGGER: "zap",
    ETCD_LOG_OUTPUTS: "stderr",
  };
}

export const etcdMemberPart: Part = {
  name: "etcd-member",
  apply(b, ctx) {
    const node = ctx.node;
    if (!node) throw new Error("etcd member part needs a planned etcd machine");
    certPair(b, ctx, etcdMember(node.index), "member");
    // etcd's root user: for etcd-auth, and for etcd-join's membership changes
    certPair(b, ctx, ETCD_ROOT, "root");
    b.file(ETCD_SEED_FILE, [ctx.values.etcdSeed, "\n"], { mode: 0o600 });
    b.file(ETCD_AUTH_CONFIG, etcdAuthConfig(nodeGroups(ctx.cluster)));
    etcdCaFile(b, ctx, ETCD_CA);
    b.directory("/etc/etcd", 0o755);
    b.file(ETCD_ENV, envFile(etcdEnv(ctx)));
    b.file(`${PATHS.env}/volumes.env`, ["ETCD_DATA_VOLUME=", ctx.values.volume("etcd-data"), "\n"]);
    const prepare = script(b, "prepare-volume");
    const join = script(b, "etcd-join");
    // etcdutl (the wrapper under that name takes the image's): backups check snapshots with it,
    // and `slipway etcd restore` restores with it
    script(b, "etcdctl");
    b.link(`${PATHS.bin}/etcdutl`, `${PATHS.bin}/etcdctl`);
    const tls = PATHS.etcdTls;
    const others = ctx.cluster.plan.etcd.filter((m) => m.index !== node.index);

    b.unit(
      "etcd-data.service",
      `[Unit]
Description=etcd data volume (format only when empty, then mount at ${ETCD_DATA})
DefaultDependencies=no
After=local-fs-pre.target systemd-udev-settle.service
Before=etcd-member.service

[Service]
Type=oneshot
RemainAfterExit=true
EnvironmentFile=${PATHS.env}/volumes.env
# a slow attach is waited for, however long: etcd must not start without its volume
Environment=PREPARE_VOLUME_TIMEOUT=0
TimeoutStartSec=infinity
ExecStart=${prepare} \${ETCD_DATA_VOLUME} ${ETCD_DATA} etcd-data

[Install]
RequiredBy=etcd-member.service
`,
      { enabled: true },
    );

    containerService(b, {
      unit: "etcd-member.service",
      container: "etcd-member",
      description: `etcd member ${node.name}`,
      documentation: "https://etcd.io/docs/v3.6/op-guide/",
      requires: ["etcd-data.service"],
      after: ["etcd-data.service", "network-online.target"],
      wants: ["network-online.target"],
      imagesEnv: true,
      // never on the root disk: the unit needs the volume mounted, and etcd-join checks it
      unitExtra: [`RequiresMountsFor=${ETCD_DATA}`],
      pre: [join],
      run: [
        `--env-file ${ETCD_ENV}`,
        `--env-file ${ETCD_JOIN_ENV}`,
        `--volume ${PATHS.etcdTls}:${PATHS.etcdTls}:ro`,
        `--volume ${ETCD_DATA}:${ETCD_DATA}`,
        `${unitVar("ETCD_IMAGE")} /usr/local/bin/etcd`,
      ],
      stopSeconds: 30,
      service: [
        "TimeoutStopSec=45",
        "LimitNOFILE=65536",
        // etcd-join reads the member's settings and asks the other members with its certificate
        `EnvironmentFile=${ETCD_ENV}`,
        UNIT_PATH,
        `Environment=ETCD_MOUNT=${ETCD_DATA}`,
        `Environment=JOIN_ENV=${ETCD_JOIN_ENV}`,
        `Environment=ETCD_JOIN_PEERS=${others.map((m) => `https://${m.ip}:${PORTS.etcdClient}`).join(",")}`,
        `Environment=ETCDCTL_CACERT=${tls}/ca.crt`,
        `Environment=ETCDCTL_CERT=${tls}/root.crt`,
        `Environment=ETCDCTL_KEY=${tls}/root.key`,
      ],
    });

    // users, roles and authentication on, once the member runs (scripts/etcd-auth.sh)
    const auth = script(b, "etcd-auth");
    b.unit(
      "etcd-auth.service",
      `[Unit]
Description=etcd users and roles, and authentication on
Wants=etcd-member.service
After=etcd-member.service
StartLimitIntervalSec=0

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
Environment=ETCD_AUTH_CONFIG=${ETCD_AUTH_CONFIG}
Environment=ETCD_SEED_FILE=${ETCD_SEED_FILE}
Environment=ETCDCTL_ENDPOINTS=https://${node.ip}:${PORTS.etcdClient}
Environment=ETCDCTL_CACERT=${tls}/ca.crt
Environment=ETCDCTL_CERT=${tls}/root.crt
Environment=ETCDCTL_KEY=${tls}/root.key
ExecStart=${auth}
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );

    // A failed check leaves etcd-health.service failed: visible in `systemctl --failed` and to
    // node monitoring, without restarting a member that may only be waiting for its peers. A
    // member answers /health false for as long as it has no leader: during every election and
    // while a rebooted member catches up. The check asks again (ETCD_HEALTH: 8 times, 5 s apart)
    // before it fails, so only a member without a leader for that long is reported (the VM tier
    // saw elections of several seconds leave the unit failed until the next run).
    b.unit(
      "etcd-health.service",
      `[Unit]
Description=etcd member health check
After=etcd-member.service

[Service]
Type=oneshot
ExecStart=/usr/bin/curl --fail --silent --show-error --max-time 5 --retry ${ETCD_HEALTH.retries} --retry-delay ${ETCD_HEALTH.delaySeconds} --retry-all-errors ${ETCD_METRICS}/health
`,
    );
    b.unit(
      "etcd-health.timer",
      `[Unit]
Description=Check the etcd member's health every 30 seconds

[Timer]
OnBootSec=2min
OnUnitActiveSec=30s

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );
  },
};
