// Configs larger than half of EC2's 16 KiB of user_data (the headroom every role keeps; masters
// hold ~26 certificates and keys) are served from S3: the user_data is a small Ignition stub whose `ignition.config.replace` names the object
// and its SHA-512, which Ignition checks before it uses a byte. The bucket is private, encrypted,
// owner-enforced; each machine role may read its own objects and nothing else (Ignition fetches
// with the instance's role through IMDSv2 on the host — pods cannot reach the metadata service).
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { Fn, type TerraformStack } from "cdktf";
import { IGNITION_VERSION } from "../../bootstrap/ignition/spec";
import { tfText, type UserData } from "../userdata";
import { privateBucket } from "./buckets";
import type { IamGroup, InstanceRoles } from "./iam";

export class ConfigStore {
  private bucket?: S3Bucket;
  private readonly readers = new Map<IamGroup, string[]>();

  constructor(
    private readonly stack: TerraformStack,
    private readonly cluster: string,
  ) {}

  private ensureBucket(): S3Bucket {
    if (this.bucket) return this.bucket;
    const bucket = privateBucket(this.stack, "configs", { cluster: this.cluster, what: "ignition", name: "machine configs" });
    this.bucket = bucket;
    return bucket;
  }

  /** Serve `ud`'s config from S3 as `<key>.ign`, readable by `group`; returns the pointer user_data. */
  serve(key: string, ud: UserData, group: IamGroup): UserData {
    const bucket = this.ensureBucket();
    const object = new S3Object(this.stack, `config_${key.replace(/[^A-Za-z0-9_-]/g, "_")}`, {
      bucket: bucket.id,
      key: `${key}.ign`,
      content: ud.config,
      contentType: "application/vnd.coreos.ignition+json",
      serverSideEncryption: "AES256",
    });
    this.readers.set(group, [...(this.readers.get(group) ?? []), object.arn]);
    const pointer = (bucketName: string, hash: string) =>
      JSON.stringify({
        ignition: {
          version: IGNITION_VERSION,
          config: { replace: { source: `s3://${bucketName}/${key}.ign`, verification: { hash: `sha512-${hash}` } } },
        },
      });
    const [a, rest] = pointer("@@B@@", "@@H@@").split("@@B@@") as [string, string];
    const [b, c] = rest.split("@@H@@") as [string, string];
    // the longest bucket name S3 allows, and a SHA-512 in hex
    const maxBytes = pointer("b".repeat(63), "0".repeat(128)).length;
    return {
      ...tfText([a, { expr: bucket.bucket }, b, { expr: Fn.sha512(object.content) }, c]),
      maxBytes,
      config: ud.config,
      servedFrom: "S3",
    };
  }

  /** Let each role read its objects (call once every machine is built). */
  grant(roles: InstanceRoles): void {
    const bucket = this.bucket;
    if (!bucket) return;
    for (const [group, arns] of this.readers)
      new IamRolePolicy(this.stack, `role_${group}_configs`, {
        role: roles.role(group).id,
        name: "read-own-ignition-config",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: arns },
            { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [bucket.arn] },
          ],
        }),
      });
  }
}
