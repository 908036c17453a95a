// The cloud glue: each cloud's controller manager, which initializes nodes (kubelets run
// --cloud-provider=external, so every node carries the `uninitialized` taint until it does: zone
// labels, addresses, provider ids) and removes the Node of a deleted instance; and its CSI driver,
// for persistent volumes on the cloud's block storage with one default StorageClass that binds
// when a pod is scheduled (so a volume is made in the pod's zone) and can grow. What differs per
// cloud — the charts, their values, the credentials — is the cloud's descriptor's
// (stacks/<cloud>/cloud-addons.ts); this file puts it into the bundle.
//
// The controllers install as bootstrap charts (helm-controller runs their Helm Job on a master's
// host network, past every taint): nothing else can schedule before they do.
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { cloudOf } from "../../clusters/model/clouds";
import type { ClusterConfig } from "../../clusters/model/schema";
import type { AddonSecret } from "../node";
import { type KubeObject, secretObject } from "./charts";

export const cloudControllerValues = (config: ClusterConfig) => cloudOf(config).addons.cloudController.values(config);
export const storageValues = (config: ClusterConfig) => cloudOf(config).addons.storage.values(config);

/** The StorageClasses: one that deletes its volumes (the default, unless addons.storage.defaultClass is off) and one that keeps them. */
export function storageClasses(config: ClusterConfig): StorageClass[] {
  const s = cloudOf(config).addons.storage;
  const parameters = s.parameters(config);
  return [
    { name: s.classBase, reclaimPolicy: "Delete" as const, isDefault: config.addons.storage.defaultClass },
    { name: `${s.classBase}-retain`, reclaimPolicy: "Retain" as const, isDefault: false },
  ].map(
    (c) =>
      new StorageClass({
        metadata: {
          name: c.name,
          ...(c.isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}),
        },
        provisioner: s.provisioner,
        reclaimPolicy: c.reclaimPolicy,
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        ...(Object.keys(parameters).length ? { parameters } : {}),
      }),
  );
}

/** The Secrets the cloud glue reads (kube-system), with placeholders for the credentials Terraform fills in. */
export function cloudSecrets(config: ClusterConfig): { name: string; object: KubeObject; secrets: AddonSecret[] }[] {
  return cloudOf(config)
    .addons.secrets(config)
    .map((s) => ({
      name: s.name,
      object: secretObject(s.name, "kube-system", s.data),
      secrets: [...new Set(Object.values(s.data))],
    }));
}

/** The StorageClass an addon's volume is made in: the file's, or the cloud's class that keeps its volumes. */
export function volumeClass(config: ClusterConfig, given: string | undefined): string {
  return given ?? `${cloudOf(config).addons.storage.classBase}-retain`;
}
