// AWS's own addons, for the descriptor (cloud.ts): the AWS cloud controller manager
// (kubernetes/cloud-provider-aws, chart 0.0.11, which defaults to v1.35.0 — Slipway sets the
// release line of the cluster's Kubernetes minor) on the masters' host network with their instance
// role, and the EBS CSI driver (chart 2.64.0, which ships a values schema) signing in as an IAM user
// of its own (iam.ts: its controller is an ordinary pod, and pods reach no instance role — hop
// limit 1, block-metadata). Model layer: imports only the model.
import type { CloudAddons } from "../../clusters/model/cloud";
import type { AwsClusterConfig } from "./cloud";

export const AWS_SECRET = { name: "aws-secret", keyId: "key_id", accessKey: "access_key" } as const;

/** The AWS cloud controller manager of a Kubernetes minor. */
const CCM: Record<string, string> = { "1.35": "v1.35.2", "1.36": "v1.36.1", "1.37": "v1.36.1" };
export function awsCcmTag(kubernetesVersion: string): string {
  const minor = kubernetesVersion.split(".").slice(0, 2).join(".");
  const tag = CCM[minor];
  if (!tag) throw new Error(`no AWS cloud controller manager known for Kubernetes ${minor}`);
  return tag;
}

export const awsAddons: CloudAddons<AwsClusterConfig> = {
  cloudController: {
    chart: {
      chart: "aws-cloud-controller-manager",
      repo: "https://kubernetes.github.io/cloud-provider-aws",
      version: "0.0.11",
      namespace: "kube-system",
      delivers: "nodes initialized by the cloud (zones, addresses, provider ids), removed with their instances",
    },
    values: (config) => ({
      image: { tag: awsCcmTag(config.kubernetes.version) },
      args: [
        "--v=2",
        "--cloud-provider=aws",
        `--cluster-name=${config.name}`,
        "--configure-cloud-routes=false",
        `--controllers=${["cloud-node", "cloud-node-lifecycle", ...(config.addons.cloudController.loadBalancers ? ["service"] : [])].join(",")}`,
      ],
      // the masters' instance role, through the instance metadata the host network reaches
      hostNetworking: true,
    }),
    images: (config) => [
      {
        name: "aws-cloud-controller-manager",
        runs: "the cloud controller manager (DaemonSet on masters)",
        ref: `registry.k8s.io/provider-aws/cloud-controller-manager:${awsCcmTag(config.kubernetes.version)}`,
      },
    ],
  },
  storage: {
    chart: {
      chart: "aws-ebs-csi-driver",
      repo: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver",
      version: "2.64.0",
      namespace: "kube-system",
      delivers: "persistent volumes on EBS (gp3, encrypted, default StorageClass, expansion, zones)",
      schema: "aws-ebs-csi-driver-2.64.0",
    },
    provisioner: "ebs.csi.aws.com",
    classBase: "gp3",
    parameters: () => ({ type: "gp3", encrypted: "true" }),
    values: (config) => ({
      controller: { region: config.aws.region, k8sTagClusterId: config.name },
      // the node plugin reads its instance's metadata (zone, id) over the host's network
      node: { hostNetwork: true },
      awsAccessSecret: { name: AWS_SECRET.name, keyId: AWS_SECRET.keyId, accessKey: AWS_SECRET.accessKey },
    }),
    images: () => [
      { name: "aws-ebs-csi-driver", runs: "the EBS CSI driver", ref: "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.64.0" },
      ...Object.entries({
        "csi-provisioner": "v6.3.0-eksbuild.4",
        "csi-attacher": "v4.12.0-eksbuild.5",
        "csi-snapshotter": "v8.6.0-eksbuild.5",
        livenessprobe: "v2.19.0-eksbuild.5",
        "csi-resizer": "v2.2.1-eksbuild.3",
        "csi-node-driver-registrar": "v2.17.0-eksbuild.5",
      }).map(([c, tag]) => ({ name: c, runs: "a CSI sidecar of the EBS driver", ref: `public.ecr.aws/csi-components/${c}:${tag}` })),
    ],
  },
  secrets: (config) =>
    config.addons.storage.enabled
      ? [{ name: AWS_SECRET.name, data: { [AWS_SECRET.keyId]: "aws-ebs-csi-key-id", [AWS_SECRET.accessKey]: "aws-ebs-csi-secret-key" } }]
      : [],
};
