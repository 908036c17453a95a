// A role is a list of parts. The order does not matter for the result (the builder sorts), but it
// reads as the boot story of the machine.
import type { Cluster } from "../clusters/model/load";
import { IgnitionBuilder } from "./ignition/builder";
import type { NodeContext, NodeTarget, NodeValues, Part } from "./node";
import { apiLbPart } from "./parts/api-lb";
import { base } from "./parts/base";
import { certExpiryPart } from "./parts/cert-expiry";
import { containerdPart } from "./parts/containerd";
import { controlPlanePart } from "./parts/control-plane";
import { drainNodesPart } from "./parts/drain-nodes";
import { etcdBackupPart } from "./parts/etcd-backup";
import { etcdMemberPart } from "./parts/etcd-member";
import { etcdProxyPart } from "./parts/etcd-proxy";
import { flannelCniPart, flannelPart } from "./parts/flannel";
import { hardeningPart, metadataBlockPart } from "./parts/hardening";
import { joinPart } from "./parts/join";
import { addonsPart } from "./parts/addons";
import { kubeBootstrapPart } from "./parts/kube-bootstrap";
import { kubeCertsPart } from "./parts/kube-certs";
import { kubeletPart } from "./parts/kubelet";
import { kubernetesBinariesPart } from "./parts/kubernetes-binaries";
import { kernelPart } from "./parts/kernel";
import { logsVolumePart } from "./parts/logs-volume";
import { nodeIdentityPart } from "./parts/node-identity";
import { registerNodePart } from "./parts/register-node";
import { groupOf } from "./pki/spec";

/** What every machine runs: the etcd proxy, flannel, register_node, and the hardening. */
const EVERY_NODE: Part[] = [base, nodeIdentityPart, etcdProxyPart, flannelPart, registerNodePart, hardeningPart, certExpiryPart];
/** What every Kubernetes node (master or worker) runs on top. */
const KUBERNETES_NODE: Part[] = [
  kernelPart,
  containerdPart,
  kubernetesBinariesPart,
  apiLbPart,
  flannelCniPart,
  kubeletPart,
  metadataBlockPart,
];

export const ROLE_PARTS: Record<NodeTarget["role"], Part[]> = {
  etcd: [...EVERY_NODE, etcdMemberPart, etcdBackupPart],
  master: [...EVERY_NODE, ...KUBERNETES_NODE, controlPlanePart, kubeCertsPart, kubeBootstrapPart, addonsPart, joinPart, drainNodesPart],
  worker: [...EVERY_NODE, logsVolumePart, ...KUBERNETES_NODE],
};

export function nodeContext(cluster: Cluster, target: NodeTarget, values: NodeValues): NodeContext {
  const { plan } = cluster;
  const group = groupOf(target);
  if (target.role === "worker") {
    const pool = plan.pools.find((p) => p.name === target.pool);
    if (!pool) throw new Error(`no worker pool "${target.pool}" (pools: ${plan.pools.map((p) => p.name).join(", ")})`);
    return { cluster, target, role: "worker", group, pool, values };
  }
  const nodes = target.role === "etcd" ? plan.etcd : plan.masters;
  const node = nodes[target.index];
  if (!node) throw new Error(`no ${target.role} ${target.index}: the cluster has ${nodes.length} (0..${nodes.length - 1})`);
  return { cluster, target, role: target.role, group, node, values };
}

/** The node's Ignition config as a builder, ready to render either way. */
/** Stand-in values for building a node whose secrets do not matter (its name, which files it holds). */
export function placeholderValues(over: Partial<NodeValues> = {}): NodeValues {
  return {
    pem: () => "",
    joinToken: () => ({ id: "000000", secret: "0000000000000000" }),
    joinSeed: "0",
    etcdPassword: () => "0",
    etcdSeed: "0",
    encryptionKey: "0",
    apiEndpoints: { ips: [], names: [] },
    addonSecret: () => undefined,
    volume: () => "/dev/null",
    ...over,
  };
}

export function buildNode(cluster: Cluster, target: NodeTarget, values: NodeValues): IgnitionBuilder {
  const ctx = nodeContext(cluster, target, values);
  const b = new IgnitionBuilder();
  for (const part of ROLE_PARTS[target.role]) part.apply(b, ctx);
  return b;
}
