// Where the etcd members put their backups (etcd.backup) on AWS: a private, versioned bucket of
// the cluster, and one right for the etcd machines' instance role — s3:PutObject under the
// cluster's prefix. No GetObject, no DeleteObject, no listing: a member taken over can neither
// read old snapshots nor delete them, and since the bucket keeps versions, a PUT over an existing
// name leaves the old object as a noncurrent version (kept NONCURRENT_DAYS). Retention is the
// bucket's lifecycle rules, one per tier prefix (S3 counts in whole days and expires objects at
// the next midnight UTC after the age is reached); nothing on the machines deletes anything.
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Fn, TerraformOutput, type TerraformStack } from "cdktf";
import type { AddonSecret } from "../../bootstrap/node";
import type { AwsClusterConfig } from "./cloud";
import { privateBucket } from "./buckets";
import type { InstanceRoles } from "./iam";

/** How long an overwritten object's old version stays (a PUT over a backup cannot destroy it sooner). */
export const NONCURRENT_DAYS = 30;

/** The lifecycle's expiry of each tier, in whole days (S3's unit): recent hours rounded up. */
export function tierDays(config: AwsClusterConfig): Record<"recent" | "hourly" | "daily", number> {
  const k = config.etcd.backup.keep;
  return { recent: Math.ceil(k.recentHours / 24), hourly: k.hourlyDays, daily: k.dailyDays };
}

/** The backup store's values for the members' configs, as Terraform expressions (none with etcd.backup off). */
export function backupBucket(
  stack: TerraformStack,
  config: AwsClusterConfig,
  roles: () => InstanceRoles,
): Partial<Record<AddonSecret, () => string>> {
  if (!config.etcd.backup.enabled) return {};
  let url: string | undefined;
  const make = (): string => {
    if (url) return url;
    const prefix = config.name;
    const bucket = privateBucket(stack, "etcd_backups", {
      cluster: config.name,
      what: "etcd-backups",
      name: "etcd backups",
      // a destroyed cluster's backups are what might bring it back: never emptied by Terraform
      extra: { forceDestroy: false, lifecycle: { preventDestroy: config.etcd.preventDestroy } },
    });
    const versioning = new S3BucketVersioningA(stack, "etcd_backups_versions", {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(stack, "etcd_backups_retention", {
      bucket: bucket.id,
      // S3 applies lifecycle rules to a versioned bucket only once versioning is on
      dependsOn: [versioning],
      rule: [
        ...Object.entries(tierDays(config)).map(([tier, days]) => ({
          id: `${tier}-${days}d`,
          status: "Enabled",
          filter: [{ prefix: `${prefix}/${tier}/` }],
          expiration: [{ days }],
        })),
        {
          id: `old-versions-${NONCURRENT_DAYS}d`,
          status: "Enabled",
          filter: [{ prefix: `${prefix}/` }],
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    new IamRolePolicy(stack, "role_etcd_backups", {
      role: roles().role("etcd").id,
      name: "put-etcd-backups",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${bucket.arn}/${prefix}/*`] }],
      }),
    });
    new TerraformOutput(stack, "etcd_backup_location", {
      description: "where the etcd leader uploads backups (latest.json: the newest)",
      value: `s3://${bucket.bucket}/${prefix}/`,
    });
    // virtual-hosted style, in the bucket's region (the script appends /<object>)
    // (a function, not a template: cdktf cannot nest a reference in a template inside a function)
    const made = Fn.format("https://%s", [bucket.bucketRegionalDomainName]);
    url = made;
    return made;
  };
  return {
    "etcd-backup-s3-url": make,
    "etcd-backup-region": () => {
      make();
      return config.aws.region;
    },
  };
}
