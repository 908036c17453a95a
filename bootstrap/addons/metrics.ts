// metrics-server: kubelets' resource metrics for `kubectl top` and autoscalers. Kubelets serve
// with certificates the cluster CA signs (parts/kubelet.ts: serverTLSBootstrap, approved by the
// masters), which is the CA metrics-server already trusts from its service account — so no
// --kubelet-insecure-tls (the chart asks for InternalIP first, the address those certificates
// name). Two replicas and a disruption budget: draining a node never takes it away.
export function metricsValues(): Record<string, unknown> {
  return {
    replicas: 2,
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
  };
}
