#!/bin/bash
# Part of etcd-backup when BACKUP_STORE=s3 (the part puts it in front of bootstrap/scripts/etcd-backup.sh):
# store_login signs in; put FILE OBJECT KEEP-SECONDS CONTENT-TYPE uploads (KEEP 0: never expires). Only the
# cloud's store reaches a machine. Uses $work (0700) for every file that holds a secret.
# shellcheck disable=SC2154
store_login() {
  # any S3 API, signed with SigV4 by curl; the credentials are the instance role's, from the
  # metadata service (IMDSv2: a session token first), valid for hours — one backup needs minutes
  : "${S3_URL:?}" "${S3_REGION:?}"
  imds=${IMDS_URL:-http://169.254.169.254}
  imds_token=$(curl --fail --silent --show-error --max-time 10 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 600' \
    "$imds/latest/api/token")
  printf 'X-aws-ec2-metadata-token: %s\n' "$imds_token" >"$work/imds.header"
  role=$(curl --fail --silent --show-error --max-time 10 -H @"$work/imds.header" "$imds/latest/meta-data/iam/security-credentials/" | head -n1)
  [ -n "$role" ] || { echo "etcd-backup: the instance has no IAM role" >&2; exit 1; }
  curl --fail --silent --show-error --max-time 10 -H @"$work/imds.header" -o "$work/role.json" \
    "$imds/latest/meta-data/iam/security-credentials/$role"
  rm -f "$work/imds.header"
  # the secret reaches curl in its config file (quoted as JSON quotes, which curl's config reads alike)
  jq -r '"user = " + (.AccessKeyId + ":" + .SecretAccessKey | @json)' "$work/role.json" >"$work/auth.curlrc"
  jq -r 'if .Token then "x-amz-security-token: " + .Token else empty end' "$work/role.json" >"$work/auth.header"
  rm -f "$work/role.json"
}
# retention is the bucket's: lifecycle rules expire each tier's prefix (Terraform makes them)
put() {
  curl --fail --silent --show-error --max-time 3600 -K "$work/auth.curlrc" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    -H @"$work/auth.header" -H "x-amz-content-sha256: $(sha256sum "$1" | cut -d' ' -f1)" \
    -H "Content-MD5: $(openssl dgst -md5 -binary "$1" | base64)" -H "Content-Type: $4" -T "$1" -o /dev/null "${S3_URL%/}/$2"
}
