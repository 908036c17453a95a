// The Flatcar AMI: the newest of a channel and architecture from Flatcar's official account, or
// the AMI id the file gives. Instances and launch templates ignore later AMI changes (see
// machines.ts), so a new Flatcar release never replaces machines by surprise.
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import type { TerraformStack } from "cdktf";
import type { AwsClusterConfig } from "./cloud";

/** Flatcar's AWS account (official AMIs, `Flatcar-<channel>-<version>-hvm`). */
export const FLATCAR_OWNER = "075585003325";

export function image(stack: TerraformStack, config: AwsClusterConfig): string {
  const { image } = config;
  if (image.ami) return image.ami;
  return new DataAwsAmi(stack, "flatcar", {
    mostRecent: true,
    owners: [FLATCAR_OWNER],
    filter: [
      { name: "name", values: [`Flatcar-${image.channel}-*`] },
      { name: "architecture", values: [image.arch === "arm64" ? "arm64" : "x86_64"] },
      { name: "virtualization-type", values: ["hvm"] },
    ],
  }).id;
}
