// The images the addons' charts pull at their default values, for `slipway images` (an operator
// mirroring images into a registry of their own needs the list). They are the charts' choice — by
// tag, as each chart's values.yaml names them at its pinned version — and move with an operator's
// addons.<name>.version or values.
import { ADDON_NAMES, type AddonName, type CHARTS } from "../../clusters/model/addons";
import { chartPin } from "../../clusters/model/addon-rules";
import { cloudOf } from "../../clusters/model/clouds";
import type { ClusterConfig } from "../../clusters/model/schema";
import type { ListedImage } from "../versions";

type Listed = { name: string; runs: string; ref: string };

const BY_CHART: Record<keyof typeof CHARTS, Listed[]> = {
  ingress: [
    { name: "nginx-gateway-fabric", runs: "the ingress's control plane (on masters)", ref: "ghcr.io/nginx/nginx-gateway-fabric:2.6.7" },
    {
      name: "nginx-gateway-fabric-nginx",
      runs: "the ingress's nginx (DaemonSet on masters)",
      ref: "ghcr.io/nginx/nginx-gateway-fabric/nginx:2.6.7",
    },
  ],
  tls: ["controller", "webhook", "cainjector", "acmesolver", "startupapicheck"].map((c) => ({
    name: `cert-manager-${c}`,
    runs: c === "acmesolver" ? "HTTP-01 challenges" : `cert-manager's ${c}`,
    ref: `quay.io/jetstack/cert-manager-${c}:v1.21.1`,
  })),
  metricsServer: [{ name: "metrics-server", runs: "resource metrics", ref: "registry.k8s.io/metrics-server/metrics-server:v0.8.1" }],
  // kube-prometheus-stack 88.5.3 with its subcharts (kube-state-metrics 8.4.0, node-exporter
  // 4.56.1, grafana 12.11.1), at the values Slipway sets
  monitoring: [
    { name: "prometheus-operator", runs: "the Prometheus operator", ref: "quay.io/prometheus-operator/prometheus-operator:v0.93.1" },
    {
      name: "prometheus-config-reloader",
      runs: "reloads Prometheus and Alertmanager",
      ref: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1",
    },
    {
      name: "kube-webhook-certgen",
      runs: "the operator's webhook certificate (a Job)",
      ref: "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7",
    },
    { name: "prometheus", runs: "Prometheus", ref: "quay.io/prometheus/prometheus:v3.14.0-distroless" },
    { name: "alertmanager", runs: "Alertmanager", ref: "quay.io/prometheus/alertmanager:v0.34.0" },
    {
      name: "kube-state-metrics",
      runs: "Kubernetes objects' metrics",
      ref: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0",
    },
    { name: "node-exporter", runs: "every node's metrics (DaemonSet)", ref: "quay.io/prometheus/node-exporter:v1.12.1" },
    { name: "grafana", runs: "Grafana", ref: "docker.io/grafana/grafana:13.2.0" },
    { name: "grafana-sidecar", runs: "loads dashboards and data sources into Grafana", ref: "quay.io/kiwigrid/k8s-sidecar:2.10.1" },
  ],
  logs: [{ name: "fluent-bit", runs: "log collection (DaemonSet on every node)", ref: "cr.fluentbit.io/fluent/fluent-bit:5.1.1" }],
  logStore: [{ name: "loki", runs: "the logs' store", ref: "docker.io/grafana/loki:3.7.6" }],
  dashboard: [{ name: "headlamp", runs: "the dashboard", ref: "ghcr.io/headlamp-k8s/headlamp:v0.45.0" }],
};

function listed(config: ClusterConfig, a: AddonName): Listed[] {
  return a === "cloudController" || a === "storage" ? cloudOf(config).addons[a].images(config) : BY_CHART[a];
}

export function addonImages(config: ClusterConfig): ListedImage[] {
  return ADDON_NAMES.filter((a) => config.addons[a].enabled).flatMap((a) => {
    const pin = chartPin(config, a);
    return listed(config, a).map((i) => ({
      name: i.name,
      runs: i.runs,
      chart: pin.chart,
      image: {
        ref: i.ref,
        tagOnly: `the ${pin.chart.split("/").pop()} chart's ${pin.version} default; addons.${a}.values can pin a digest`,
      },
    }));
  });
}
