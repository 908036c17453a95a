// Instance profiles: least privilege for what runs on the machines. Masters may do what the AWS
// cloud controller manager needs; workers what the EBS CSI driver needs (volumes only ever with
// its own tags); etcd members nothing at all. Each role may also read its own config objects
// (configs.ts), and nothing else in that bucket.
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformStack } from "cdktf";
import type { AwsClusterConfig } from "./cloud";

export type IamGroup = "etcd" | "master" | "worker";

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

export const ROLE_POLICIES: Record<IamGroup, object[]> = { etcd: [], master: CLOUD_CONTROLLER, worker: EBS_CSI };

export class InstanceRoles {
  readonly roles: Record<IamGroup, IamRole>;
  readonly profiles: Record<IamGroup, IamInstanceProfile>;

  constructor(stack: TerraformStack, config: AwsClusterConfig) {
    const role = (g: IamGroup) => {
      const r = new IamRole(stack, `role_${g}`, {
        name: `${config.name}-${g}`,
        assumeRolePolicy: assume,
        description: `${config.name}: ${g} machines`,
      });
      const statements = ROLE_POLICIES[g];
      if (statements.length)
        new IamRolePolicy(stack, `role_${g}_policy`, {
          role: r.id,
          name: g === "master" ? "cloud-controller-manager" : "ebs-csi-driver",
          policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
        });
      return r;
    };
    this.roles = { etcd: role("etcd"), master: role("master"), worker: role("worker") };
    const profile = (g: IamGroup) =>
      new IamInstanceProfile(stack, `profile_${g}`, { name: `${config.name}-${g}`, role: this.roles[g].name });
    this.profiles = { etcd: profile("etcd"), master: profile("master"), worker: profile("worker") };
  }
}
