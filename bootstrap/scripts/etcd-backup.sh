#!/bin/bash
# One backup of etcd, run by etcd-backup.timer on every member; only the current leader acts, so
# the cluster takes one snapshot per interval whoever leads. Steps:
#   1. ask this member whether it leads (etcdctl endpoint status, its own endpoint); if not, exit 0
#   2. etcdctl snapshot save, then etcdutl snapshot status as the integrity gate (a snapshot etcd
#      cannot read is never uploaded)
#   3. gzip, then encrypt to the cluster's backup certificate (CMS, ECDH + AES-256-GCM: a changed
#      byte fails decryption); the machine holds no key that decrypts it
#   4. upload to the object store under <prefix>/recent/, and the slot's first snapshot of each hour
#      and day under hourly/ and daily/ too; each tier expires by itself (Swift: X-Delete-After;
#      S3: the bucket's lifecycle rules, per tier prefix);
#      then <prefix>/latest.json, the marker a freshness alert reads (time, revision, object)
# Swift: a Keystone token from an application credential whose access rules allow only PUT into
# the backup container (no read, no delete). S3: the instance role's credentials from the metadata
# service, whose policy allows only PutObject under the cluster's prefix (the bucket is versioned:
# a PUT over an object keeps the old version). Every request's secret travels in a file, never on
# a command line. Settings: /etc/slipway/etcd-backup.env (the unit's EnvironmentFile).
set -euo pipefail

: "${BACKUP_STORE:?}" "${BACKUP_PREFIX:?}" "${BACKUP_RECIPIENT:?}" "${BACKUP_EVERY_MINUTES:?}"
: "${KEEP_RECENT_SECONDS:?}" "${KEEP_HOURLY_SECONDS:?}" "${KEEP_DAILY_SECONDS:?}"
work=${BACKUP_WORKDIR:-/var/lib/etcd-backup}
now=${BACKUP_NOW:-$(date -u +%s)}

# 1. leader only (-w fields: member ids are 64-bit, which JSON tools may round)
fields=$(etcdctl endpoint status -w fields)
member=$(sed -n 's/^"MemberID" : //p' <<<"$fields")
leader=$(sed -n 's/^"Leader" : //p' <<<"$fields")
revision=$(sed -n 's/^"Revision" : //p' <<<"$fields")
if [ -z "$member" ] || [ "$member" != "$leader" ]; then
  echo "etcd-backup: this member (${member:-?}) does not lead (${leader:-?}); the leader takes the backup"
  exit 0
fi

# 2. snapshot and check
umask 077
mkdir -p "$work"
# a run that fails half-way leaves no credential and no snapshot (every Secret, in the clear) behind
trap 'rm -f "$work"/auth.* "$work/imds.header" "$work/role.json" "$work"/snapshot.*' EXIT
rm -f "$work"/snapshot.*
etcdctl snapshot save "$work/snapshot.db" >/dev/null
status=$(etcdutl snapshot status -w json "$work/snapshot.db")
keys=$(jq -r .totalKey <<<"$status")
snap_revision=$(jq -r .revision <<<"$status")
[ "$keys" -gt 0 ] || { echo "etcd-backup: the snapshot holds no keys; not uploaded" >&2; exit 1; }

# 3. compress, encrypt
gzip -c "$work/snapshot.db" |
  openssl cms -encrypt -binary -stream -aes-256-gcm -recip "$BACKUP_RECIPIENT" -outform DER -out "$work/snapshot.db.gz.cms"
rm -f "$work/snapshot.db"
size=$(stat -c %s "$work/snapshot.db.gz.cms")

stamp=$(date -u -d "@$now" +%Y-%m-%dT%H%M%SZ)
name="$stamp-r$snap_revision.db.gz.cms"
# the interval's slot: the hour's and the day's first slot also go to hourly/ and daily/
minute_of_day=$(((now % 86400) / 60))
slot=$((minute_of_day / BACKUP_EVERY_MINUTES * BACKUP_EVERY_MINUTES))
tiers=("recent:$KEEP_RECENT_SECONDS")
if [ $((slot % 60)) -eq 0 ]; then tiers+=("hourly:$KEEP_HOURLY_SECONDS"); fi
if [ "$slot" -eq 0 ]; then tiers+=("daily:$KEEP_DAILY_SECONDS"); fi

# 4. upload, with the store's store_login and put (bootstrap/scripts/etcd-backup-<store>.sh, which
# the machine's copy of this script begins with: only the cloud's store reaches a machine)
store_login
for t in "${tiers[@]}"; do
  put "$work/snapshot.db.gz.cms" "$BACKUP_PREFIX/${t%%:*}/$name" "${t#*:}" application/octet-stream
done
jq -n --arg time "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)" --argjson revision "$snap_revision" \
  --arg object "$BACKUP_PREFIX/recent/$name" --argjson size "$size" --arg member "$member" \
  '{time: $time, revision: $revision, object: $object, size: $size, member: $member}' >"$work/latest.json"
put "$work/latest.json" "$BACKUP_PREFIX/latest.json" 0 application/json
rm -f "$work/auth.header" "$work/auth.curlrc"
rm -f "$work"/snapshot.* "$work/latest.json"
echo "etcd-backup: revision $snap_revision ($revision at the leader), $keys keys, $size bytes encrypted → $BACKUP_PREFIX/{$(
  IFS=,
  echo "${tiers[*]%%:*}"
)}/$name"
