// Monitoring: kube-prometheus-stack — the Prometheus operator, one Prometheus and one Alertmanager
// on volumes of the cluster's CSI driver, node-exporter on every node (masters too), kube-state-
// metrics, Grafana with the stack's dashboards and, when the logs' store is on, Loki as a second
// data source.
//
// What it scrapes that the chart cannot find by itself: the etcd tier, which runs outside the
// cluster. Its members serve /metrics on their client port, which takes only clients with a
// certificate of the etcd CA; Prometheus presents `etcd-metrics-client` (pki/spec.ts), whose name
// is no etcd user, so it can read metrics and nothing else. The certificate reaches the cluster
// as the Secret monitoring/etcd-metrics from the masters' configs; Prometheus mounts it.
//
// What it leaves out, and why: kube-scheduler, kube-controller-manager and kube-proxy serve their
// metrics on 127.0.0.1 only (parts/control-plane.ts, kube/manifests.ts), so their monitors would be
// targets that are always down and alerts that always fire. Kubelets are scraped with their
// serving certificates verified against the cluster CA (they are signed by it: parts/kubelet.ts).
import { servedHostname } from "../../clusters/model/addon-rules";
import { CHARTS } from "../../clusters/model/addons";
import { PORTS } from "../../clusters/model/ports";
import type { Cluster } from "../../clusters/model/load";
import { type KubeObject, secretObject } from "./charts";
import { volumeClass } from "./cloud";
import { LOKI } from "./logs";

export const ETCD_METRICS_SECRET = "etcd-metrics";
const SECRETS_DIR = `/etc/prometheus/secrets/${ETCD_METRICS_SECRET}`;
/** Grafana's Service (fullnameOverride) and port, for its route. */
export const GRAFANA = { service: "grafana", port: 80 } as const;

/** Prometheus's size limit for its data: 85 % of the volume (Prometheus reads GB as GiB). */
const retentionSize = (gib: number) => `${Math.max(1, Math.floor(gib * 0.85))}GB`;

export function monitoringValues(cluster: Cluster): Record<string, unknown> {
  const { config, plan } = cluster;
  const m = config.addons.monitoring;
  const host = servedHostname(config, "monitoring");
  const storageClassName = volumeClass(config, m.storageClass);
  const claim = (gib: number) => ({
    volumeClaimTemplate: {
      spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } },
    },
  });
  const everywhere = [{ operator: "Exists" }];
  return {
    // stable names: the Services and Secrets an operator reads about in the README
    fullnameOverride: "kps",
    cleanPrometheusOperatorObjectNames: true,
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    kubelet: { serviceMonitor: { https: true, insecureSkipVerify: false } },
    kubeEtcd: {
      enabled: true,
      endpoints: plan.etcd.map((e) => e.ip),
      service: { enabled: true, port: PORTS.etcdClient, targetPort: PORTS.etcdClient },
      serviceMonitor: {
        enabled: true,
        scheme: "https",
        // verified: the members' certificates name their addresses, which is what Prometheus dials
        insecureSkipVerify: false,
        caFile: `${SECRETS_DIR}/ca.crt`,
        certFile: `${SECRETS_DIR}/tls.crt`,
        keyFile: `${SECRETS_DIR}/tls.key`,
        // its service account token is none of etcd's business
        bearerTokenFile: "",
      },
    },
    prometheus: {
      prometheusSpec: {
        retention: m.retention,
        retentionSize: retentionSize(m.size),
        storageSpec: claim(m.size),
        secrets: [ETCD_METRICS_SECRET],
        // every ServiceMonitor and rule of the cluster, not only the chart's own
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        resources: { requests: { cpu: "200m", memory: "1Gi" } },
      },
    },
    alertmanager: {
      alertmanagerSpec: { storage: claim(2), resources: { requests: { cpu: "20m", memory: "64Mi" } } },
    },
    // on the host network of every node, masters too: the port the security groups open for it
    "prometheus-node-exporter": { tolerations: everywhere, service: { port: PORTS.nodeExporter, targetPort: PORTS.nodeExporter } },
    grafana: {
      fullnameOverride: GRAFANA.service,
      // the admin password: the chart makes one at its first install and keeps it (monitoring/grafana)
      // users, their dashboards and preferences live in Grafana's database: on a volume
      persistence: { enabled: true, type: "pvc", storageClassName, accessModes: ["ReadWriteOnce"], size: "5Gi" },
      // one pod holds the volume at a time: a rolling update would wait forever for it
      deploymentStrategy: { type: "Recreate" },
      initChownData: { enabled: false },
      "grafana.ini": {
        analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
        users: { allow_sign_up: false },
        "auth.anonymous": { enabled: false },
        ...(host ? { server: { root_url: `https://${host}/` } } : {}),
      },
      ...(config.addons.logStore.enabled
        ? {
            additionalDataSources: [
              {
                name: "Loki",
                type: "loki",
                access: "proxy",
                url: `http://${LOKI.service}.${CHARTS.logStore.namespace}.svc.${config.kubernetes.clusterDomain}:${LOKI.port}`,
              },
            ],
          }
        : {}),
    },
  };
}

/** The etcd client certificate Prometheus presents, from the masters' configs (Terraform state). */
export function etcdMetricsSecret(): KubeObject {
  return secretObject(ETCD_METRICS_SECRET, CHARTS.monitoring.namespace, {
    "ca.crt": "etcd-metrics-ca",
    "tls.crt": "etcd-metrics-cert",
    "tls.key": "etcd-metrics-key",
  });
}
