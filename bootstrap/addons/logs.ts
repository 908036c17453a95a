// Logs: Fluent Bit on every node (masters too) reads the journal and every container's log, adds
// each container's namespace, pod and labels, and sends both to Loki — one instance in monolithic
// mode, its chunks and index on a volume of the cluster's CSI driver, old logs deleted by its
// compactor after addons.logStore.retention.
//
// Fluent Bit keeps its read positions and, while Loki cannot take logs, its buffer on the node's
// /var/log: on a pool with a logs volume (workers[].logsVolumeSize) that is the volume, where the
// journal is persistent too (parts/logs-volume.ts) — so a burst or a Loki outage fills the logs
// volume, never the root disk. Loki prefers those pools' machines for the same reason.
import { CHARTS } from "../../clusters/model/addons";
import type { Cluster } from "../../clusters/model/load";
import { volumeClass } from "./cloud";

/** Loki's Service (fullnameOverride) and HTTP port. */
export const LOKI = { service: "loki", port: 3100 } as const;
const STATE = "/var/log/fluent-bit";

/** Fluent Bit's pipeline, in its classic configuration format. */
function pipeline(cluster: Cluster): { service: string; inputs: string; filters: string; outputs: string } {
  const host = `${LOKI.service}.${CHARTS.logStore.namespace}.svc.${cluster.config.kubernetes.clusterDomain}`;
  const section = (name: string, entries: [string, string | number][]) =>
    `[${name}]\n${entries.map(([k, v]) => `    ${k} ${v}`).join("\n")}\n`;
  const loki = (match: string, source: string, keys: string[]) =>
    section("OUTPUT", [
      ["Name", "loki"],
      ["Match", match],
      ["Host", host],
      ["Port", LOKI.port],
      ["Labels", `job=fluent-bit, source=${source}, node=\${NODE_NAME}`],
      ["Label_keys", keys.join(",")],
      ["Line_format", "json"],
      // keep trying: the buffer is on disk
      ["Retry_Limit", "False"],
    ]);
  return {
    service: section("SERVICE", [
      ["Daemon", "Off"],
      ["Flush", 1],
      ["Log_Level", "info"],
      ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
      ["HTTP_Server", "On"],
      ["HTTP_Listen", "0.0.0.0"],
      ["HTTP_Port", 2020],
      ["Health_Check", "On"],
      // a Loki outage is buffered on the node's /var/log (the logs volume where the pool has one)
      ["storage.path", `${STATE}/buffer`],
      ["storage.sync", "normal"],
      ["storage.backlog.mem_limit", "16M"],
    ]),
    inputs: [
      section("INPUT", [
        ["Name", "tail"],
        ["Path", "/var/log/containers/*.log"],
        ["multiline.parser", "cri"],
        ["Tag", "kube.*"],
        ["DB", `${STATE}/containers.db`],
        ["DB.locking", "true"],
        ["Mem_Buf_Limit", "16MB"],
        ["Skip_Long_Lines", "On"],
        ["storage.type", "filesystem"],
      ]),
      section("INPUT", [
        ["Name", "systemd"],
        ["Tag", "journal.*"],
        ["DB", `${STATE}/journal.db`],
        ["Read_From_Tail", "On"],
        ["Strip_Underscores", "On"],
        ["storage.type", "filesystem"],
      ]),
    ].join(""),
    filters: section("FILTER", [
      ["Name", "kubernetes"],
      ["Match", "kube.*"],
      ["Merge_Log", "On"],
      ["Keep_Log", "Off"],
      ["K8S-Logging.Parser", "On"],
      ["K8S-Logging.Exclude", "On"],
    ]),
    outputs: [
      loki("kube.*", "container", ["$kubernetes['namespace_name']", "$kubernetes['pod_name']", "$kubernetes['container_name']"]),
      loki("journal.*", "journal", ["$SYSTEMD_UNIT"]),
    ].join(""),
  };
}

export function fluentBitValues(cluster: Cluster): Record<string, unknown> {
  return {
    fullnameOverride: "fluent-bit",
    // every node, masters and tainted pools included: their logs matter most when they are in trouble
    tolerations: [{ operator: "Exists" }],
    testFramework: { enabled: false },
    env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
    config: pipeline(cluster),
    // the node's /var/log (container logs, the journal when persistent, Fluent Bit's own state),
    // the volatile journal and the machine id the journal is filed under; nothing of Docker's
    daemonSetVolumes: [
      { name: "varlog", hostPath: { path: "/var/log" } },
      { name: "runjournal", hostPath: { path: "/run/log/journal", type: "DirectoryOrCreate" } },
      { name: "etcmachineid", hostPath: { path: "/etc/machine-id", type: "File" } },
    ],
    daemonSetVolumeMounts: [
      { name: "varlog", mountPath: "/var/log" },
      { name: "runjournal", mountPath: "/run/log/journal", readOnly: true },
      { name: "etcmachineid", mountPath: "/etc/machine-id", readOnly: true },
    ],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
  };
}

export function lokiValues(cluster: Cluster): Record<string, unknown> {
  const { config, plan } = cluster;
  const s = config.addons.logStore;
  const logsPools = plan.pools.filter((p) => p.logsVolumeSize).map((p) => p.name);
  return {
    fullnameOverride: LOKI.service,
    deploymentMode: "Monolithic",
    loki: {
      // one tenant: the cluster's
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: {
        configs: [
          { from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } },
        ],
      },
      limits_config: { retention_period: s.retention },
      compactor: { retention_enabled: true, delete_request_store: "filesystem", working_directory: "/var/loki/compactor" },
      analytics: { reporting_enabled: false },
    },
    singleBinary: {
      replicas: 1,
      persistence: { enabled: true, size: `${s.size}Gi`, storageClass: volumeClass(config, s.storageClass) },
      resources: { requests: { cpu: "100m", memory: "256Mi" } },
      ...(logsPools.length
        ? {
            affinity: {
              nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 50,
                    preference: { matchExpressions: [{ key: "slipway/pool", operator: "In", values: logsPools }] },
                  },
                ],
              },
            },
          }
        : {}),
    },
    // the monolith answers on its own Service; no gateway, caches, canary or chart test pods
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
    sidecar: { rules: { enabled: false } },
  };
}
