// kubeconfigs for node components. Certificates are referenced by path, never embedded: the
// same PEM is not carried twice in user_data, and a rotated file is picked up as it is.
import type { Text } from "../ignition/builder";
import { stringify } from "yaml";

export interface KubeconfigSpec {
  cluster: string;
  server: string;
  caFile: string;
  user: string;
  /** client certificate and key files, or a bearer token */
  certFile?: string;
  keyFile?: string;
}

export function kubeconfig(k: KubeconfigSpec): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: k.cluster, cluster: { server: k.server, "certificate-authority": k.caFile } }],
    users: [{ name: k.user, user: { "client-certificate": k.certFile, "client-key": k.keyFile } }],
    contexts: [{ name: k.cluster, context: { cluster: k.cluster, user: k.user } }],
    "current-context": k.cluster,
  });
}

/** A kubeconfig authenticating with a bearer token known only at apply time ([a-z0-9.] only). */
export function tokenKubeconfig(k: Omit<KubeconfigSpec, "certFile" | "keyFile">, token: Text): Text {
  const text = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: k.cluster, cluster: { server: k.server, "certificate-authority": k.caFile } }],
    users: [{ name: k.user, user: { token: "@@TOKEN@@" } }],
    contexts: [{ name: k.cluster, context: { cluster: k.cluster, user: k.user } }],
    "current-context": k.cluster,
  });
  const [before, after] = text.split("@@TOKEN@@") as [string, string];
  return [before, token, after];
}
