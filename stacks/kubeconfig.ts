// The admin kubeconfig as a sensitive Terraform output: `terraform output -raw admin_kubeconfig`.
// It embeds the admin key, so it lives only in Terraform state and in the file the operator writes.
import { Fn, TerraformOutput, type TerraformStack } from "cdktf";
import { KUBE_CA } from "../bootstrap/pki/spec";
import { PORTS } from "./firewall";
import type { TerraformPki } from "./pki";

export function adminKubeconfig(stack: TerraformStack, name: string, pki: TerraformPki, endpoint: string): void {
  const ca = pki.issued(KUBE_CA).certPem ?? "";
  const admin = pki.issued("admin");
  const value = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: https://${endpoint}:${PORTS.apiserver}`,
    `    certificate-authority-data: ${Fn.base64encode(ca)}`,
    "users:",
    `- name: ${name}-admin`,
    "  user:",
    `    client-certificate-data: ${Fn.base64encode(admin.certPem ?? "")}`,
    `    client-key-data: ${Fn.base64encode(admin.keyPem)}`,
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    `    user: ${name}-admin`,
    `current-context: ${name}`,
    "",
  ].join("\n");
  new TerraformOutput(stack, "admin_kubeconfig", {
    description: "Administrator kubeconfig (terraform output -raw admin_kubeconfig > admin.conf)",
    value,
    sensitive: true,
  });
}
