// The objects a new cluster needs before workers can join and pods can find each other, built as
// typed Kubernetes objects and validated: RBAC for TLS bootstrapping (a bootstrap token may
// request a node certificate, which the masters' approver decides; nodes' renewals are approved
// automatically), the API servers' access to kubelets, the administrators, kube-proxy and CoreDNS.
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { stringify } from "yaml";
import type { Cluster } from "../../clusters/model/load";
import { API_LB_SERVER } from "../parts/api-lb";
import { CLUSTER_ADMINS } from "../pki/spec";
import { kubeconfigText } from "./kubeconfig";
import { IMAGES, imageRef, kubeImage } from "../versions";

type Obj = { validate(): void; toJSON(): unknown };

/** A kubectl-applicable List of validated objects. */
export function list(items: Obj[]): string {
  for (const i of items) i.validate();
  return `${JSON.stringify({ apiVersion: "v1", kind: "List", items: items.map((i) => i.toJSON()) })}\n`;
}

const binding = (name: string, role: string, subject: { kind: "Group" | "User" | "ServiceAccount"; name: string; namespace?: string }) =>
  new ClusterRoleBinding({
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [{ ...(subject.kind === "ServiceAccount" ? {} : { apiGroup: "rbac.authorization.k8s.io" }), ...subject }],
  });

export function rbacObjects(): Obj[] {
  return [
    binding("slipway:kubelet-bootstrap", "system:node-bootstrapper", { kind: "Group", name: "system:bootstrappers" }),
    // no automatic approval of joining machines' first certificates: the masters' approver
    // allows each pool's token only that pool's machine names (parts/join.ts)
    binding("slipway:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", {
      kind: "Group",
      name: "system:nodes",
    }),
    binding("slipway:apiserver-kubelet-client", "system:kubelet-api-admin", { kind: "User", name: "kube-apiserver-kubelet-client" }),
    // the day-to-day administrator: revocable, unlike system:masters
    binding("slipway:cluster-admins", "cluster-admin", { kind: "Group", name: CLUSTER_ADMINS }),
  ];
}

export function kubeProxyObjects(cluster: Cluster): Obj[] {
  const { config } = cluster;
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  const labels = { "k8s-app": "kube-proxy" };
  return [
    new ServiceAccount({ metadata: { name: "kube-proxy", namespace: "kube-system" } }),
    binding("slipway:node-proxier", "system:node-proxier", { kind: "ServiceAccount", name: "kube-proxy", namespace: "kube-system" }),
    new ConfigMap({
      metadata: { name: "kube-proxy", namespace: "kube-system" },
      data: {
        "config.conf": stringify({
          apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
          kind: "KubeProxyConfiguration",
          clientConnection: { kubeconfig: "/var/lib/kube-proxy/kubeconfig.conf" },
          clusterCIDR: config.network.pods,
          mode: "iptables",
          metricsBindAddress: "127.0.0.1:10249",
        }),
        // the local load balancer: kube-proxy must not depend on the Service it implements
        "kubeconfig.conf": kubeconfigText({
          cluster: "default",
          server: API_LB_SERVER,
          ca: { file: `${sa}/ca.crt` },
          user: "default",
          credentials: { tokenFile: `${sa}/token` },
          namespace: "default",
        }),
      },
    }),
    new DaemonSet({
      metadata: { name: "kube-proxy", namespace: "kube-system", labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            hostNetwork: true,
            priorityClassName: "system-node-critical",
            serviceAccountName: "kube-proxy",
            tolerations: [{ operator: "Exists" }],
            containers: [
              {
                name: "kube-proxy",
                image: imageRef(kubeImage("kube-proxy", config.kubernetes.version)),
                command: ["kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                securityContext: { privileged: true },
                volumeMounts: [
                  { name: "config", mountPath: "/var/lib/kube-proxy" },
                  { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                  { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: "kube-proxy" } },
              { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
              { name: "lib-modules", hostPath: { path: "/lib/modules" } },
            ],
          },
        },
      },
    }),
  ];
}

export function corednsObjects(cluster: Cluster): Obj[] {
  const { config, plan } = cluster;
  const labels = { "k8s-app": "kube-dns" };
  return [
    new ServiceAccount({ metadata: { name: "coredns", namespace: "kube-system" } }),
    new ClusterRole({
      metadata: { name: "slipway:coredns" },
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    }),
    binding("slipway:coredns", "slipway:coredns", { kind: "ServiceAccount", name: "coredns", namespace: "kube-system" }),
    new ConfigMap({
      metadata: { name: "coredns", namespace: "kube-system" },
      data: {
        Corefile: `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${config.kubernetes.clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`,
      },
    }),
    new Deployment({
      metadata: { name: "coredns", namespace: "kube-system", labels },
      spec: {
        replicas: 2,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: "coredns",
            // the node's resolvers (kubelet's resolvConf), not the cluster's own DNS: with the
            // default (ClusterFirst) `forward . /etc/resolv.conf` would forward CoreDNS to itself
            dnsPolicy: "Default",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // DNS even while every worker pool is at 0: the masters may run it
            tolerations: [
              { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
              { key: "CriticalAddonsOnly", operator: "Exists" },
            ],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" } },
                ],
              },
            },
            containers: [
              {
                name: "coredns",
                image: imageRef(IMAGES.coredns),
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                  { name: "metrics", containerPort: 9153, protocol: "TCP" },
                ],
                resources: { requests: { cpu: "100m", memory: "70Mi" }, limits: { memory: "170Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                },
                livenessProbe: {
                  httpGet: { path: "/health", port: 8080 },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                  failureThreshold: 5,
                },
                readinessProbe: { httpGet: { path: "/ready", port: 8181 } },
                volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config", configMap: { name: "coredns" } }],
          },
        },
      },
    }),
    // a drain (a coordinated reboot, a node replaced) never takes both replicas at once
    new PodDisruptionBudget({
      metadata: { name: "coredns", namespace: "kube-system", labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    }),
    new Service({
      metadata: { name: "kube-dns", namespace: "kube-system", labels },
      spec: {
        clusterIP: plan.dnsServiceIp,
        selector: labels,
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
          { name: "metrics", port: 9153, protocol: "TCP" },
        ],
      },
    }),
  ];
}
