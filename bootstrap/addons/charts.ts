// How a chart reaches the cluster: one HelmChart object per addon, which k3s-io/helm-controller
// (running on the masters, deployed by the bundle) turns into a Helm install Job — so nothing
// outside the cluster needs the API, and Terraform never talks to it. The controller and the Helm job image it
// runs are pinned in versions.ts; the charts are pinned in the model (clusters/model/addons.ts),
// where an operator's values are checked against their schemas.
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { stringify } from "yaml";
import { type AddonName, type ChartPin, mergeValues } from "../../clusters/model/addons";
import { chartPin } from "../../clusters/model/addon-rules";
import type { ClusterConfig } from "../../clusters/model/schema";
import { API_LB_PORT } from "../../clusters/model/ports";
import type { AddonSecret } from "../node";
import { IMAGES, imageRef } from "../versions";
import { secretPlaceholder } from "./secrets";

/** A Kubernetes object as the bundle carries it: validated where a typed model exists. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

export const HELM_CONTROLLER = { namespace: "kube-system" } as const;

/** Masters only, past the taints a master has before its cloud controller initialized it. */
export const ON_MASTERS = {
  nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
  tolerations: [
    { key: "node-role.kubernetes.io/control-plane", operator: "Exists" as const, effect: "NoSchedule" as const },
    { key: "node.cloudprovider.kubernetes.io/uninitialized", operator: "Exists" as const, effect: "NoSchedule" as const },
  ],
};

/** A Secret of credentials: each data key's value a placeholder a caller fills in (secrets.ts). */
export function secretObject(name: string, namespace: string, data: Record<string, AddonSecret>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    type: "Opaque",
    stringData: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secretPlaceholder(v)])),
  };
}

/** A namespace an addon installs into, with the Pod Security level its pods need. */
export function namespace(name: string, podSecurity?: "privileged" | "baseline" | "restricted"): Namespace {
  return new Namespace({
    metadata: {
      name,
      ...(podSecurity ? { labels: { "pod-security.kubernetes.io/enforce": podSecurity, "app.kubernetes.io/managed-by": "slipway" } } : {}),
    },
  });
}

/**
 * The controller: one replica on the masters with the host's network, reaching the API through
 * the machine's own load balancer (127.0.0.1), so it runs before kube-proxy, cluster DNS or a
 * cloud controller does — it installs those that come as charts.
 */
export function helmControllerObjects(): (Deployment | ServiceAccount | ClusterRoleBinding)[] {
  const ns = HELM_CONTROLLER.namespace;
  const labels = { "app.kubernetes.io/name": "helm-controller" };
  return [
    new ServiceAccount({ metadata: { name: "helm-controller", namespace: ns } }),
    new ClusterRoleBinding({
      metadata: { name: "slipway:helm-controller" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: "helm-controller", namespace: ns }],
    }),
    new Deployment({
      metadata: { name: "helm-controller", namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        // never two controllers at once on one master's host network
        strategy: { type: "Recreate" },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "helm-controller",
            hostNetwork: true,
            priorityClassName: "system-cluster-critical",
            ...ON_MASTERS,
            containers: [
              {
                name: "helm-controller",
                image: imageRef(IMAGES.helmController),
                command: ["helm-controller"],
                env: [
                  { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "JOB_CLUSTER_ROLE", value: "cluster-admin" },
                  { name: "DEFAULT_JOB_IMAGE", value: imageRef(IMAGES.helmJob) },
                  { name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" },
                  { name: "KUBERNETES_SERVICE_PORT", value: String(API_LB_PORT) },
                  // install Jobs of charts not marked bootstrap run on the masters as well
                  { name: "JOB_TOLERATIONS", value: JSON.stringify(ON_MASTERS.tolerations) },
                ],
                resources: { requests: { cpu: "50m", memory: "64Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    }),
  ];
}

export interface ChartOptions {
  /** Helm values Slipway sets; the operator's (addons.<name>.values) merge over them */
  values: Record<string, unknown>;
  /** run the install Job on a master's host network, past every taint (charts the nodes need first) */
  bootstrap?: boolean;
}

/** The chart of an addon as it is installed: the pin, or the operator's version over it. */
export function chartOf(config: ClusterConfig, name: AddonName): ChartPin {
  const pin = chartPin(config, name);
  const version = config.addons[name].version;
  return version ? { ...pin, version } : pin;
}

/** The HelmChart object of an addon. */
export function helmChart(config: ClusterConfig, name: AddonName, opts: ChartOptions): KubeObject {
  const pin = chartOf(config, name);
  const values = mergeValues(opts.values, config.addons[name].values);
  return {
    apiVersion: "helm.cattle.io/v1",
    kind: "HelmChart",
    metadata: {
      name: `slipway-${kebab(name)}`,
      namespace: HELM_CONTROLLER.namespace,
      labels: { "app.kubernetes.io/managed-by": "slipway" },
    },
    spec: {
      chart: pin.chart,
      ...(pin.repo ? { repo: pin.repo } : {}),
      version: pin.version,
      targetNamespace: pin.namespace,
      // the bundle creates the namespace, labelled with the Pod Security level the chart's pods need
      createNamespace: false,
      valuesContent: stringify(values, { lineWidth: 0, aliasDuplicateObjects: false }),
      // the default (reinstall) uninstalls a chart whose upgrade failed, and its CRDs with it
      failurePolicy: "abort",
      timeout: "15m",
      ...(opts.bootstrap ? { bootstrap: true } : {}),
    },
  };
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
