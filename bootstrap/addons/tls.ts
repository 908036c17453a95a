// Automatic TLS: cert-manager with its Gateway API support on (the Gateway's cluster-issuer
// annotation makes a Certificate for each HTTPS listener), and two Let's Encrypt ClusterIssuers,
// staging and production. Names under the Cloudflare zone are proved by DNS-01 (the only way to a
// wildcard), with a token that reaches the masters through Terraform state only; every other name
// by HTTP-01 through the shared Gateway, which every master serves.
import { wildcardTls } from "../../clusters/model/addons";
import type { ClusterConfig } from "../../clusters/model/schema";
import type { KubeObject } from "./charts";

const ACME = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export const issuerName = (which: keyof typeof ACME): string => `letsencrypt-${which}`;

/** The Secret holding the Cloudflare token (in cert-manager's namespace, where ClusterIssuers read it). */
export const CLOUDFLARE_SECRET = { name: "cloudflare-dns01", key: "api-token" } as const;

export function tlsValues(): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    config: {
      apiVersion: "controller.config.cert-manager.io/v1alpha1",
      kind: "ControllerConfiguration",
      gatewayAPI: { enabled: true },
    },
  };
}

/** The issuers: applied once cert-manager's chart has made its CRDs. */
export function clusterIssuers(config: ClusterConfig, gateway: { name: string; namespace: string }): KubeObject[] {
  const { email } = config.addons.tls;
  const dns = config.dns;
  return (Object.keys(ACME) as (keyof typeof ACME)[]).map((which) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: issuerName(which) },
    spec: {
      acme: {
        server: ACME[which],
        ...(email ? { email } : {}),
        privateKeySecretRef: { name: `${issuerName(which)}-account` },
        solvers: [
          ...(wildcardTls(config) && dns
            ? [
                {
                  selector: { dnsZones: [dns.zone] },
                  dns01: { cloudflare: { apiTokenSecretRef: { name: CLOUDFLARE_SECRET.name, key: CLOUDFLARE_SECRET.key } } },
                },
              ]
            : []),
          { http01: { gatewayHTTPRoute: { parentRefs: [{ name: gateway.name, namespace: gateway.namespace, sectionName: "http" }] } } },
        ],
      },
    },
  }));
}
