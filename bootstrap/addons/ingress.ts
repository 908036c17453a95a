// The ingress: NGINX Gateway Fabric. Its data plane (nginx) runs as a DaemonSet on the masters
// with host ports 80 and 443 — the masters' addresses are what DNS publishes, so a browser moves
// on to the next master when one is down — behind a ClusterIP Service: a LoadBalancer Service
// would make the cloud controller buy a load balancer nobody asked for. One shared Gateway,
// `ingress` in nginx-gateway, takes routes from every namespace: NGF gives each Gateway its own
// DaemonSet, so a second one would collide on the host ports. HTTP redirects to HTTPS; HTTP-01
// challenges still pass (their routes match exact paths, which win over the redirect's prefix).
// Websockets need nothing: NGF's nginx passes Upgrade/Connection through (its upgrade map).
import { SERVED_UIS, type ServedUi, servedHostname, underWildcard } from "../../clusters/model/addon-rules";
import { CHARTS } from "../../clusters/model/addons";
import { dnsNames } from "../../clusters/model/names";
import type { ClusterConfig } from "../../clusters/model/schema";
import { type KubeObject, ON_MASTERS } from "./charts";
import { HEADLAMP } from "./dashboard";
import { GRAFANA } from "./monitoring";
import { issuerName } from "./tls";

export const GATEWAY = { name: "ingress", namespace: CHARTS.ingress.namespace, className: "nginx" } as const;

interface Listener {
  name: string;
  port: number;
  protocol: "HTTP" | "HTTPS";
  hostname?: string;
  allowedRoutes: { namespaces: { from: "All" } };
  tls?: { mode: "Terminate"; certificateRefs: { kind: "Secret"; name: string }[] };
}

/** The shared Gateway's listeners: HTTP, and HTTPS for every name a certificate can be had for. */
export function listeners(config: ClusterConfig): Listener[] {
  const all = { namespaces: { from: "All" as const } };
  const https = (name: string, hostname: string, secret: string): Listener => ({
    name,
    port: 443,
    protocol: "HTTPS",
    hostname,
    allowedRoutes: all,
    tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secret }] },
  });
  const out: Listener[] = [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: all }];
  if (!config.addons.tls.enabled) return out;
  const names = dnsNames(config);
  if (names) out.push(https("https", names.ingress, "ingress-tls"));
  config.addons.ingress.hostnames.forEach((h, i) => {
    out.push(https(`https-${i}`, h, `ingress-tls-${i}`));
  });
  // an addon's UI under the wildcard shares its certificate; elsewhere it gets a listener and one of its own
  for (const ui of Object.keys(SERVED_UIS) as ServedUi[]) {
    const host = servedHostname(config, ui);
    if (host && !underWildcard(config, host)) out.push(https(`https-${SERVED_UIS[ui]}`, host, `${SERVED_UIS[ui]}-tls`));
  }
  return out;
}

const UI_BACKENDS: Record<ServedUi, { service: string; port: number }> = { monitoring: GRAFANA, dashboard: HEADLAMP };

/** The routes of the addons' UIs (Grafana, Headlamp): HTTPS only, on the listener that has their name. */
export function uiRoutes(config: ClusterConfig): KubeObject[] {
  return (Object.keys(SERVED_UIS) as ServedUi[]).flatMap((ui) => {
    const host = servedHostname(config, ui);
    if (!host) return [];
    const backend = UI_BACKENDS[ui];
    return [
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: SERVED_UIS[ui], namespace: CHARTS[ui].namespace },
        spec: {
          // never the http listener: there the redirect answers
          parentRefs: [
            {
              name: GATEWAY.name,
              namespace: GATEWAY.namespace,
              sectionName: underWildcard(config, host) ? "https" : `https-${SERVED_UIS[ui]}`,
            },
          ],
          hostnames: [host],
          rules: [{ backendRefs: [{ name: backend.service, port: backend.port }] }],
        },
      },
    ];
  });
}

/** NGF's values: the DaemonSet on the masters, host ports, ClusterIP, the shared Gateway. */
export function ingressValues(config: ClusterConfig): Record<string, unknown> {
  const tls = config.addons.tls.enabled;
  return {
    nginxGateway: {
      // the control plane beside its data plane: ingress never waits for a worker
      replicas: 2,
      ...ON_MASTERS,
      gatewayClassName: GATEWAY.className,
      // no usage reports leave the cluster unless the operator turns them on
      productTelemetry: { enable: false },
    },
    nginx: {
      kind: "daemonSet",
      pod: ON_MASTERS,
      container: { hostPorts: [80, 443].map((p) => ({ port: p, containerPort: p })) },
      service: { type: "ClusterIP" },
    },
    gateways: [
      {
        name: GATEWAY.name,
        namespace: GATEWAY.namespace,
        ...(tls ? { annotations: { "cert-manager.io/cluster-issuer": issuerName(config.addons.tls.issuer) } } : {}),
        spec: { gatewayClassName: GATEWAY.className, listeners: listeners(config) },
      },
    ],
  };
}

/** HTTP → HTTPS for every name without a route of its own on the http listener. */
export function redirectRoute(config: ClusterConfig): KubeObject | undefined {
  if (!listeners(config).some((l) => l.protocol === "HTTPS")) return undefined;
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "https-redirect", namespace: GATEWAY.namespace },
    spec: {
      parentRefs: [{ name: GATEWAY.name, sectionName: "http" }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}
