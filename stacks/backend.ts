// Terraform state backend from the cluster file. Credentials never come from the file: the S3
// backend reads AWS_* variables, the http backend TF_HTTP_USERNAME/TF_HTTP_PASSWORD.
import { HttpBackend, LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { ClusterConfig } from "../clusters/model/schema";

export function configureBackend(stack: TerraformStack, config: ClusterConfig): void {
  const b = config.backend;
  switch (b.type) {
    case "local":
      // Relative on purpose: an absolute path would make synthesis differ between checkouts.
      new LocalBackend(stack, { path: b.path ?? `terraform.${config.name}.tfstate` });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: b.bucket,
        key: b.key ?? `slipway/${config.name}.tfstate`,
        region: b.region,
        encrypt: true,
        ...(b.endpoint
          ? {
              // S3-compatible stores (Ceph RGW, MinIO, Swift s3api) need path-style requests and
              // none of AWS's account checks.
              endpoints: { s3: b.endpoint },
              usePathStyle: true,
              skipCredentialsValidation: true,
              skipRegionValidation: true,
              skipRequestingAccountId: true,
              skipMetadataApiCheck: true,
              skipS3Checksum: true,
            }
          : {}),
      });
      // cdktf 0.21 has no typed field for S3-native locking (Terraform 1.10+).
      if (b.useLockfile) s3.addOverride("use_lockfile", true);
      return;
    }
    case "http":
      new HttpBackend(stack, {
        address: b.address,
        ...(b.lockAddress ? { lockAddress: b.lockAddress } : {}),
        ...(b.unlockAddress ? { unlockAddress: b.unlockAddress } : {}),
      });
      return;
  }
}
