// What every cluster stack outputs, in one place so both clouds say the same: the API endpoint,
// the masters' public addresses, the etcd client URLs and the administrators' kubeconfigs (sensitive).
import { TerraformOutput, type TerraformStack } from "cdktf";
import { PORTS } from "../clusters/model/ports";
import type { NodePlan } from "../clusters/model/plan";
import { adminKubeconfigs } from "./kubeconfig";
import type { TerraformPki } from "./pki";

export function clusterOutputs(
  stack: TerraformStack,
  o: { name: string; endpoint: string; publicIps: string[]; publicIpsAre: string; etcd: NodePlan[]; pki: TerraformPki },
): void {
  new TerraformOutput(stack, "api_endpoint", { description: "Kubernetes API", value: `https://${o.endpoint}:${PORTS.apiserver}` });
  new TerraformOutput(stack, "master_public_ips", { description: o.publicIpsAre, value: o.publicIps });
  new TerraformOutput(stack, "etcd_endpoints", {
    description: "etcd client URLs (reachable from cluster machines only)",
    value: o.etcd.map((m) => `https://${m.ip}:${PORTS.etcdClient}`),
  });
  adminKubeconfigs(stack, o.name, o.pki, o.endpoint);
}
