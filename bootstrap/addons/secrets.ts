// The credentials addons take from outside the cluster, each reaching it as a Secret the masters
// apply (bundle file 25-secret-<name>.json) from their config — which is served from Swift/S3,
// never inline user_data (the model's rules see to that for the one an operator gives).
//
//   variable: the operator gives it at apply time as a sensitive Terraform variable
//             (TF_VAR_<variable>); `slipway render` reads the same variable from its environment.
//   pki:      a certificate or key of the cluster PKI (Terraform's tls provider; render's PKI folder).
//   cloud:    Terraform makes it (an OpenStack application credential, an AWS access key) and it
//             lives in state; `slipway render` cannot, so a rendered master goes without it
//             (its cloud controllers then wait for the Secret) unless SLIPWAY_SECRET_<NAME> holds it.
//
// Every value lands inside a JSON string: whoever fills one in gives it JSON-escaped (Terraform:
// jsonencode, stacks/pki.ts; render: JSON.stringify), so no value can break out of its string.
import type { AddonSecret } from "../node";
import { ETCD_CA, ETCD_METRICS_CLIENT } from "../pki/spec";

interface VariableSecret {
  source: "variable";
  variable: string;
  description: string;
  pattern: string;
  maxLength: number;
  refused: string;
}
interface CloudSecret {
  source: "cloud";
  description: string;
  maxLength: number;
  /**
   * "env": the value lands in an EnvironmentFile line, not a JSON string: it is written as it is
   * and must match ENV_SAFE (Terraform checks at apply, render before writing)
   */
  lands?: "env";
}
/** a PEM of the cluster PKI (bootstrap/pki/spec.ts): Terraform issues it into state, render into its PKI folder */
interface PkiSecret {
  source: "pki";
  pem: string;
  kind: "cert" | "key";
  description: string;
  maxLength: number;
}

export const ADDON_SECRETS: Record<AddonSecret, VariableSecret | CloudSecret | PkiSecret> = {
  "cloudflare-dns01-token": {
    source: "variable",
    variable: "cloudflare_dns01_token",
    description:
      "Cloudflare API token with Zone:DNS:Edit on the cluster's zone, for cert-manager's DNS-01 (the ingress wildcard certificate)",
    pattern: "^[A-Za-z0-9_-]{20,128}$",
    maxLength: 128,
    refused:
      "cloudflare_dns01_token must be a Cloudflare API token: 20 to 128 letters, digits, '_' and '-' (the token itself, without 'Bearer')",
  },
  "openstack-cloud-config": {
    source: "cloud",
    description: "cloud.conf of the OpenStack cloud controller and Cinder CSI driver (an application credential Terraform makes)",
    maxLength: 2048,
  },
  "aws-ebs-csi-key-id": { source: "cloud", description: "access key id of the EBS CSI driver's IAM user", maxLength: 128 },
  "aws-ebs-csi-secret-key": { source: "cloud", description: "secret access key of the EBS CSI driver's IAM user", maxLength: 128 },
  // Prometheus scrapes the etcd members (outside the cluster) over mutual TLS
  "etcd-metrics-ca": { source: "pki", pem: ETCD_CA, kind: "cert", description: "the etcd CA's certificate", maxLength: 2048 },
  "etcd-metrics-cert": {
    source: "pki",
    pem: ETCD_METRICS_CLIENT,
    kind: "cert",
    description: "Prometheus's client certificate for the etcd members' /metrics",
    maxLength: 2048,
  },
  "etcd-metrics-key": { source: "pki", pem: ETCD_METRICS_CLIENT, kind: "key", description: "its key", maxLength: 512 },
  // the etcd members' backup store (etcd.backup): a write-only application credential
  "etcd-backup-credential-id": {
    source: "cloud",
    description: "id of the etcd backups' application credential",
    maxLength: 64,
    lands: "env",
  },
  "etcd-backup-credential-secret": {
    source: "cloud",
    description: "secret of the etcd backups' application credential (PUT into the backup container only)",
    maxLength: 128,
    lands: "env",
  },
  "etcd-backup-auth-url": { source: "cloud", description: "Keystone's public URL", maxLength: 256, lands: "env" },
  "etcd-backup-region": { source: "cloud", description: "the region of the backup store", maxLength: 64, lands: "env" },
  // S3 (AWS): the bucket's URL; the credentials are the etcd machines' role's
  "etcd-backup-s3-url": { source: "cloud", description: "the URL of the backup bucket", maxLength: 256, lands: "env" },
};

/** What a value landing in an EnvironmentFile may hold: no blank, quote, backslash, $ or backtick. */
export const ENV_SAFE = "^[A-Za-z0-9_.:/@%+=,~-]+$";

/** The environment variable `slipway render` reads a secret from. */
export function secretEnv(name: AddonSecret): string {
  const s = ADDON_SECRETS[name];
  return s.source === "variable" ? `TF_VAR_${s.variable}` : `SLIPWAY_SECRET_${name.toUpperCase().replace(/-/g, "_")}`;
}

/** Where a secret comes from, as `slipway addons` names it in its place. */
export function secretSource(name: AddonSecret): string {
  const s = ADDON_SECRETS[name];
  return s.source === "pki" ? `the cluster PKI's ${s.pem} ${s.kind === "cert" ? "certificate" : "key"}` : secretEnv(name);
}

/**
 * A value as it goes inside a JSON string, escaped as Terraform's jsonencode escapes it (Go's
 * encoder: also <, >, &, U+2028 and U+2029), so both paths write the same bytes.
 */
export const jsonInner = (value: string): string =>
  JSON.stringify(value)
    .slice(1, -1)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

/** The placeholder a secret's value takes in a bundle file until the caller fills it in (inside a JSON string). */
export const secretPlaceholder = (name: AddonSecret): string => `@@slipway-secret:${name}@@`;
