// A private S3 bucket of the cluster: public access blocked, owner-enforced (no ACLs), encrypted
// at rest, reached only over TLS. Bucket names are global, so Terraform picks one from a prefix;
// the AWS provider allows a prefix of at most 37 characters (and a cluster name may have 32).
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import type { S3BucketConfig } from "@cdktf/provider-aws/lib/s3-bucket";
import type { TerraformStack } from "cdktf";

/** The longest bucket_prefix the AWS provider accepts. */
export const BUCKET_PREFIX_MAX = 37;

/** `<cluster>-<what>-`, the cluster's name shortened so that it fits (a bucket's tags name it in full). */
export function bucketPrefix(cluster: string, what: string): string {
  const room = BUCKET_PREFIX_MAX - what.length - 2;
  return `${cluster.slice(0, room).replace(/-+$/, "")}-${what}-`;
}

export function privateBucket(
  stack: TerraformStack,
  id: string,
  opts: { cluster: string; what: string; name: string; extra?: Partial<S3BucketConfig> },
): S3Bucket {
  const bucket = new S3Bucket(stack, id, {
    bucketPrefix: bucketPrefix(opts.cluster, opts.what),
    tags: { Name: `${opts.cluster} ${opts.name}` },
    ...opts.extra,
  });
  const block = new S3BucketPublicAccessBlock(stack, `${id}_private`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(stack, `${id}_owner`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new S3BucketServerSideEncryptionConfigurationA(stack, `${id}_encrypted`, {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new S3BucketPolicy(stack, `${id}_tls_only`, {
    bucket: bucket.id,
    // S3 refuses concurrent changes to one bucket's access settings
    dependsOn: [block],
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.arn, `${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    }),
  });
  return bucket;
}
