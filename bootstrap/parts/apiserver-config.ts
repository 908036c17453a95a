// The API server's configuration files, on every master in /etc/kubernetes/apiserver (mounted
// read-only into its pod):
//
//   encryption.json      Secrets are encrypted in etcd with secretbox (XSalsa20-Poly1305) under
//                        the cluster's one key (Terraform's random_bytes, or the local PKI's
//                        encryption-key); `identity` after it still reads Secrets written before
//   authentication.json  anonymous requests only on /livez, /readyz and /healthz (load balancers'
//                        and kubelets' health checks); everything else needs credentials
//   admission.json       PodSecurity: kubernetes.podSecurity enforced by default (kube-system
//                        exempt: kube-proxy is privileged), restricted warned and audited
//   audit-policy.json    who did what: metadata for everything, request bodies for changes —
//                        never a body of a Secret, ConfigMap or token; health checks, leases
//                        and events not at all
//
// The audit log goes to /var/log/kubernetes/audit, rotated and compressed by the API server itself.
import type { Text } from "../ignition/builder";
import type { NodeContext } from "../node";
import { PATHS } from "./files";

export const APISERVER_DIR = `${PATHS.kube}/apiserver`;
export const AUDIT_DIR = "/var/log/kubernetes/audit";
export const ANONYMOUS_PATHS = ["/livez", "/readyz", "/healthz"] as const;
const file = (f: string) => `${APISERVER_DIR}/${f}`;

export const APISERVER_FILES = {
  encryption: file("encryption.json"),
  authentication: file("authentication.json"),
  admission: file("admission.json"),
  auditPolicy: file("audit-policy.json"),
  auditLog: `${AUDIT_DIR}/audit.log`,
} as const;

/** The flags that point the API server at these files. */
export function apiserverConfigFlags(ctx: NodeContext): string[] {
  const k = ctx.cluster.config.kubernetes;
  return [
    `--encryption-provider-config=${APISERVER_FILES.encryption}`,
    `--authentication-config=${APISERVER_FILES.authentication}`,
    `--admission-control-config-file=${APISERVER_FILES.admission}`,
    `--audit-policy-file=${APISERVER_FILES.auditPolicy}`,
    `--audit-log-path=${APISERVER_FILES.auditLog}`,
    `--audit-log-maxage=${k.auditLogDays}`,
    "--audit-log-maxbackup=10",
    "--audit-log-maxsize=100",
    "--audit-log-compress=true",
  ];
}

/** The EncryptionConfiguration, with the key spliced in where it is known (apply time, or render). */
export function encryptionConfig(key: Text): Text {
  const marker = "@@KEY@@";
  const json = JSON.stringify({
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "EncryptionConfiguration",
    resources: [
      {
        resources: ["secrets"],
        providers: [{ secretbox: { keys: [{ name: "slipway-1", secret: marker }] } }, { identity: {} }],
      },
    ],
  });
  const [before, after] = json.split(marker) as [string, string];
  return [before, key, `${after}\n`];
}

export function authenticationConfig(): object {
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AuthenticationConfiguration",
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
  };
}

export function admissionConfig(ctx: NodeContext): object {
  const level = ctx.cluster.config.kubernetes.podSecurity;
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AdmissionConfiguration",
    plugins: [
      {
        name: "PodSecurity",
        configuration: {
          apiVersion: "pod-security.admission.config.k8s.io/v1",
          kind: "PodSecurityConfiguration",
          defaults: {
            enforce: level,
            "enforce-version": "latest",
            audit: "restricted",
            "audit-version": "latest",
            warn: "restricted",
            "warn-version": "latest",
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] },
        },
      },
    ],
  };
}

const core = (...resources: string[]) => ({ group: "", resources });

/** Rules are matched in order; the first that matches decides the level. */
export function auditPolicy(): object {
  return {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    omitStages: ["RequestReceived"],
    rules: [
      { level: "None", nonResourceURLs: ["/livez*", "/readyz*", "/healthz*", "/version"] },
      { level: "None", resources: [{ group: "coordination.k8s.io", resources: ["leases"] }] },
      { level: "None", resources: [core("events"), { group: "events.k8s.io", resources: ["events"] }] },
      { level: "None", userGroups: ["system:nodes"], verbs: ["get", "list", "watch"] },
      { level: "None", users: ["system:kube-proxy"], verbs: ["watch"] },
      // never a body: what they hold is secret
      {
        level: "Metadata",
        resources: [
          core("secrets", "configmaps", "serviceaccounts/token"),
          { group: "authentication.k8s.io", resources: ["tokenreviews"] },
          { group: "certificates.k8s.io", resources: ["certificatesigningrequests"] },
        ],
      },
      { level: "Request", verbs: ["create", "update", "patch", "delete", "deletecollection"] },
      { level: "Metadata" },
    ],
  };
}
