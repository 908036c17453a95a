#!/bin/bash
# Part of etcd-backup when BACKUP_STORE=swift (the part puts it in front of bootstrap/scripts/etcd-backup.sh):
# store_login signs in; put FILE OBJECT KEEP-SECONDS CONTENT-TYPE uploads (KEEP 0: never expires). Only the
# cloud's store reaches a machine. Uses $work (0700) for every file that holds a secret.
# shellcheck disable=SC2154
store_login() {
  : "${SWIFT_AUTH_URL:?}" "${SWIFT_REGION:?}" "${SWIFT_CONTAINER:?}" "${SWIFT_CREDENTIAL_ID:?}" "${SWIFT_CREDENTIAL_SECRET:?}"
  jq -n '{auth: {identity: {methods: ["application_credential"],
          application_credential: {id: env.SWIFT_CREDENTIAL_ID, secret: env.SWIFT_CREDENTIAL_SECRET}}}}' >"$work/auth.json"
  curl --fail --silent --show-error --max-time 60 -H 'Content-Type: application/json' --data @"$work/auth.json" \
    -D "$work/auth.headers" -o "$work/token.json" "${SWIFT_AUTH_URL%/}/auth/tokens"
  rm -f "$work/auth.json"
  token=$(sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *\([^[:space:]]*\).*/\1/p' "$work/auth.headers")
  [ -n "$token" ] || { echo "etcd-backup: Keystone gave no token" >&2; exit 1; }
  printf 'X-Auth-Token: %s\n' "$token" >"$work/auth.header"
  base=$(jq -r --arg r "$SWIFT_REGION" '[.token.catalog[] | select(.type == "object-store") | .endpoints[]
          | select(.interface == "public" and (.region_id == $r or .region == $r)) | .url][0] // empty' "$work/token.json")
  rm -f "$work/token.json" "$work/auth.headers"
  [ -n "$base" ] || { echo "etcd-backup: no object-store endpoint in region $SWIFT_REGION" >&2; exit 1; }
}
# retention is the object's own: Swift deletes it X-Delete-After seconds from now
put() {
  local keep=()
  [ "$3" -eq 0 ] || keep=(-H "X-Delete-After: $3")
  curl --fail --silent --show-error --max-time 3600 -X PUT -H @"$work/auth.header" "${keep[@]}" \
    -H "ETag: $(md5sum "$1" | cut -d' ' -f1)" -H "Content-Type: $4" -T "$1" -o /dev/null "${base%/}/$SWIFT_CONTAINER/$2"
}
