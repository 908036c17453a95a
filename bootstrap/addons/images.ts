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
