// The admin kubeconfig as a sensitive Terraform output: `terraform output -raw admin_kubeconfig`.
// It embeds the admin key, so it lives only in Terraform state and in the file the operator writes.
import { Fn, TerraformOutput, type TerraformStack } from "cdktf";
import { Deferred, segments } from "../bootstrap/ignition/builder";
import { kubeconfig } from "../bootstrap/kube/kubeconfig";
import { KUBE_CA } from "../bootstrap/pki/spec";
import { PORTS } from "../clusters/model/ports";
import type { TerraformPki } from "./pki";

export function adminKubeconfig(stack: TerraformStack, name: string, pki: TerraformPki, endpoint: string): void {
  const expr = (e: string) => new Deferred(e, 0, "a Terraform expression");
  const admin = pki.issued("admin");
  const text = kubeconfig(
    {
      cluster: name,
      server: expr(`https://${endpoint}:${PORTS.apiserver}`),
      ca: { data: expr(Fn.base64encode(pki.issued(KUBE_CA).certPem ?? "")) },
      user: `${name}-admin`,
      credentials: { certData: expr(Fn.base64encode(admin.certPem ?? "")), keyData: expr(Fn.base64encode(admin.keyPem)) },
    },
    { kubectlStyle: true },
  );
  new TerraformOutput(stack, "admin_kubeconfig", {
    description: "Administrator kubeconfig (terraform output -raw admin_kubeconfig > admin.conf)",
    value: segments(text)
      .map((s) => (s instanceof Deferred ? s.expression : s))
      .join(""),
    sensitive: true,
  });
}
