// Instance profiles: least privilege for what runs on the machines. Masters may do what the AWS
// cloud controller manager needs; workers and etcd members nothing at all — the EBS CSI driver
// has an IAM user of its own (volumes only ever with its own tags). Each worker pool has a role of its own, so a pool's
// machines can read their pool's config object and no other pool's (its join token is the
// pool's); each role may read its own config objects (configs.ts), and nothing else there.
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import type { TerraformStack } from "cdktf";
import type { AwsClusterConfig } from "./cloud";

export type IamGroup = "etcd" | "master" | `pool-${string}`;

const assume = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The AWS cloud controller manager (kubernetes/cloud-provider-aws, control plane). */
const CLOUD_CONTROLLER = [
  {
    Effect: "Allow",
    Action: [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeTags",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeInstances",
      "ec2:DescribeInstanceTopology",
      "ec2:DescribeRegions",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "ec2:CreateSecurityGroup",
      "ec2:CreateTags",
      "ec2:ModifyInstanceAttribute",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:DeleteSecurityGroup",
      "ec2:CreateRoute",
      "ec2:DeleteRoute",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:DeregisterTargets",
      "elasticloadbalancing:Describe*",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:RegisterTargets",
      "elasticloadbalancing:SetSecurityGroups",
      "iam:CreateServiceLinkedRole",
      "kms:DescribeKey",
    ],
    Resource: "*",
  },
];

/**
 * The EBS CSI driver (aws-ebs-csi-driver's documented policy): describe anything; create volumes
 * and snapshots only with its own tag, and attach, detach, modify and delete only what carries
 * it. A worker can therefore never detach or snapshot an etcd member's data volume (untagged).
 */
const CSI_TAG = "ebs.csi.aws.com/cluster";
const EBS_CSI = [
  {
    Effect: "Allow",
    Action: [
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeInstances",
      "ec2:DescribeSnapshots",
      "ec2:DescribeTags",
      "ec2:DescribeVolumes",
      "ec2:DescribeVolumesModifications",
    ],
    Resource: "*",
  },
  {
    Effect: "Allow",
    Action: ["ec2:CreateVolume"],
    Resource: "arn:aws:ec2:*:*:volume/*",
    Condition: { StringLike: { [`aws:RequestTag/${CSI_TAG}`]: "true" } },
  },
  {
    Effect: "Allow",
    Action: ["ec2:CreateSnapshot"],
    Resource: "arn:aws:ec2:*:*:snapshot/*",
    Condition: { StringLike: { [`aws:RequestTag/${CSI_TAG}`]: "true" } },
  },
  // a snapshot is taken of a volume: only of the driver's own
  {
    Effect: "Allow",
    Action: ["ec2:CreateSnapshot"],
    Resource: "arn:aws:ec2:*:*:volume/*",
    Condition: { StringLike: { [`ec2:ResourceTag/${CSI_TAG}`]: "true" } },
  },
  {
    Effect: "Allow",
    Action: ["ec2:AttachVolume", "ec2:DetachVolume"],
    Resource: "arn:aws:ec2:*:*:instance/*",
  },
  {
    Effect: "Allow",
    Action: ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:ModifyVolume", "ec2:DeleteVolume"],
    Resource: "arn:aws:ec2:*:*:volume/*",
    Condition: { StringLike: { [`ec2:ResourceTag/${CSI_TAG}`]: "true" } },
  },
  {
    Effect: "Allow",
    Action: ["ec2:DeleteSnapshot"],
    Resource: "arn:aws:ec2:*:*:snapshot/*",
    Condition: { StringLike: { [`ec2:ResourceTag/${CSI_TAG}`]: "true" } },
  },
  {
    Effect: "Allow",
    Action: ["ec2:CreateTags"],
    Resource: ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:snapshot/*"],
    Condition: { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot"] } },
  },
];

/** The tag by which the cloud controller manager knows the cluster's instances and subnets. */
export const clusterTag = (cluster: string): Record<string, string> => ({ [`kubernetes.io/cluster/${cluster}`]: "owned" });

/**
 * The EBS CSI controller's own IAM user and key (addons.storage on AWS): the controller is an
 * ordinary pod, and pods reach no instance role — the metadata service answers one hop only and
 * block-metadata drops pods' packets to it. The user may do exactly what the driver's policy
 * allows (volumes it tagged itself); its key lives in state and reaches the cluster as the Secret
 * kube-system/aws-secret (bootstrap/addons/cloud.ts). Made on first use.
 */
export function ebsCsiKey(stack: TerraformStack, config: AwsClusterConfig): () => IamAccessKey {
  let key: IamAccessKey | undefined;
  return () => {
    if (key) return key;
    const user = new IamUser(stack, "ebs_csi", { name: `${config.name}-ebs-csi`, path: "/slipway/" });
    new IamUserPolicy(stack, "ebs_csi_policy", {
      user: user.name,
      name: "ebs-csi-driver",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: EBS_CSI }),
    });
    key = new IamAccessKey(stack, "ebs_csi_key", { user: user.name });
    return key;
  };
}

// workers need no AWS rights of their own: the EBS CSI controller signs in as its own user (ebsCsiKey)
export const rolePolicies = (g: IamGroup): object[] => (g === "master" ? CLOUD_CONTROLLER : []);

export class InstanceRoles {
  readonly roles = new Map<IamGroup, IamRole>();
  readonly profiles = new Map<IamGroup, IamInstanceProfile>();

  constructor(stack: TerraformStack, config: AwsClusterConfig) {
    const groups: IamGroup[] = ["etcd", "master", ...config.workers.map((w) => `pool-${w.name}` as const)];
    for (const g of groups) {
      // resource ids stay as they were for the fixed roles; pools get their own
      const id = g;
      const r = new IamRole(stack, `role_${id}`, {
        name: `${config.name}-${g}`,
        assumeRolePolicy: assume,
        description: `${config.name}: ${g === "etcd" || g === "master" ? `${g} machines` : `machines of worker ${g.replace("-", " ")}`}`,
      });
      const statements = rolePolicies(g);
      if (statements.length)
        new IamRolePolicy(stack, `role_${id}_policy`, {
          role: r.id,
          name: "cloud-controller-manager",
          policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
        });
      this.roles.set(g, r);
      this.profiles.set(g, new IamInstanceProfile(stack, `profile_${id}`, { name: `${config.name}-${g}`, role: r.name }));
    }
  }

  role(g: IamGroup): IamRole {
    const r = this.roles.get(g);
    if (!r) throw new Error(`no IAM role for ${g}`);
    return r;
  }

  profile(g: IamGroup): IamInstanceProfile {
    const p = this.profiles.get(g);
    if (!p) throw new Error(`no instance profile for ${g}`);
    return p;
  }
}
