// The administrators' kubeconfigs as sensitive Terraform outputs (`terraform output -raw
// admin_kubeconfig`). They embed keys, so they live only in Terraform state and in the files the
// operator writes.
import { Fn, TerraformOutput, type TerraformStack } from "cdktf";
import { Deferred, segments } from "../bootstrap/ignition/builder";
import { kubeconfig } from "../bootstrap/kube/kubeconfig";
import { ADMIN, KUBE_CA, SUPER_ADMIN } from "../bootstrap/pki/spec";
import { PORTS } from "../clusters/model/ports";
import type { TerraformPki } from "./pki";

function kubeconfigOutput(
  stack: TerraformStack,
  o: { name: string; pki: TerraformPki; endpoint: string; cert: string; user: string; output: string; description: string },
): void {
  const expr = (e: string) => new Deferred(e, 0, "a Terraform expression");
  const c = o.pki.issued(o.cert);
  const text = kubeconfig(
    {
      cluster: o.name,
      server: expr(`https://${o.endpoint}:${PORTS.apiserver}`),
      ca: { data: expr(Fn.base64encode(o.pki.issued(KUBE_CA).certPem ?? "")) },
      user: o.user,
      credentials: { certData: expr(Fn.base64encode(c.certPem ?? "")), keyData: expr(Fn.base64encode(c.keyPem)) },
    },
    { kubectlStyle: true },
  );
  new TerraformOutput(stack, o.output, {
    description: o.description,
    value: segments(text)
      .map((s) => (s instanceof Deferred ? s.expression : s))
      .join(""),
    sensitive: true,
  });
}

/** The day-to-day and the break-glass administrator's kubeconfigs (kubeadm's admin.conf / super-admin.conf). */
export function adminKubeconfigs(stack: TerraformStack, name: string, pki: TerraformPki, endpoint: string): void {
  kubeconfigOutput(stack, {
    name,
    pki,
    endpoint,
    cert: ADMIN,
    user: `${name}-admin`,
    output: "admin_kubeconfig",
    description:
      "Administrator kubeconfig: cluster-admin through the slipway:cluster-admins group (terraform output -raw admin_kubeconfig > admin.conf)",
  });
  kubeconfigOutput(stack, {
    name,
    pki,
    endpoint,
    cert: SUPER_ADMIN,
    user: `${name}-super-admin`,
    output: "super_admin_kubeconfig",
    description: "Break-glass kubeconfig (system:masters, bypasses RBAC): only when admin_kubeconfig cannot work",
  });
}
