// The dashboard: Headlamp (Kubernetes SIG UI; the Kubernetes Dashboard is archived), served by the
// shared Gateway over HTTPS. Nobody is signed in by its mere presence: Headlamp's own service
// account is bound to nothing (the chart would bind it to cluster-admin), and every user signs in
// with a token of their own — what that token may do is what they see and do. Stateless, so two
// replicas and a disruption budget: a drain never takes it away.
export const HEADLAMP = { service: "headlamp", port: 80 } as const;

export function dashboardValues(): Record<string, unknown> {
  return {
    fullnameOverride: HEADLAMP.service,
    replicaCount: 2,
    clusterRoleBinding: { create: false },
    config: { inCluster: true, unsafeUseServiceAccountToken: false },
    service: { type: "ClusterIP", port: HEADLAMP.port },
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    resources: { requests: { cpu: "20m", memory: "64Mi" } },
    // its namespace enforces Pod Security "restricted", which asks for these beyond the chart's own
    podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  };
}
