#!/bin/bash
# etcd-restore (etcd members; sent by `slipway etcd restore` over ssh, never part of user_data):
# one step of bringing the etcd tier back from a snapshot, the procedure etcd documents — every
# member restored from the same snapshot into a new cluster (new cluster token, so new member
# and cluster IDs: nothing of the old cluster can talk to it), then started. The CLI runs each
# step on every member before the next (all stopped before any is restored, all restored before
# any starts), so the old cluster can take no write that the restored one would silently lose.
#
#   check   SNAPSHOT        the snapshot's revision, keys and hash (etcdutl snapshot status)
#   stop                    stop etcd-member (until `start`; a reboot in between starts it again)
#   restore SNAPSHOT TOKEN  the data directory moved aside (kept, never deleted), the snapshot
#                           restored in its place as this member of etcd.env's initial cluster
#   start                   start etcd-member: etcd-join finds data and starts it as itself
#
# Settings (name, peer URL, initial cluster, data directory) come from the member's etcd.env.
set -euo pipefail
step=${1:?check, stop, restore or start}
set -a
# shellcheck source=/dev/null
. "${ETCD_ENV:-/etc/etcd/etcd.env}"
set +a
data=${ETCD_DATA_DIR:?}
unit=${ETCD_UNIT:-etcd-member.service}

case "$step" in
check)
  snapshot=${2:?snapshot}
  etcdutl snapshot status -w json "$snapshot"
  ;;
stop)
  systemctl stop "$unit"
  echo "etcd-restore: $ETCD_NAME stopped"
  ;;
restore)
  snapshot=${2:?snapshot} token=${3:?cluster token}
  if systemctl is-active --quiet "$unit"; then
    echo "etcd-restore: $unit is running on $ETCD_NAME; stop every member first" >&2
    exit 1
  fi
  # the old data stays beside the new, for the operator to delete once the cluster is good
  if [ -e "$data" ]; then
    kept="$data.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    mv "$data" "$kept"
    echo "etcd-restore: $ETCD_NAME's previous data kept at $kept"
  fi
  # Kubernetes' watch caches hold revisions newer than the snapshot's: etcd 3.5.13+ can move the
  # revision past them and mark the old ones compacted, so every watcher lists again instead of
  # missing changes (Kubernetes' own restore advice). Older etcdutl has no such flags.
  bump=()
  if etcdutl snapshot restore --help 2>&1 | grep -q -- --bump-revision; then bump=(--bump-revision 1000000000 --mark-compacted); fi
  etcdutl snapshot restore "$snapshot" --name "$ETCD_NAME" --data-dir "$data" \
    --initial-cluster "$ETCD_INITIAL_CLUSTER" --initial-cluster-token "$token" \
    --initial-advertise-peer-urls "$ETCD_INITIAL_ADVERTISE_PEER_URLS" "${bump[@]}" >/dev/null
  chmod 0700 "$data"
  echo "etcd-restore: $ETCD_NAME restored (cluster token $token)"
  ;;
start)
  systemctl start "$unit"
  echo "etcd-restore: $ETCD_NAME started"
  ;;
*)
  echo "etcd-restore: unknown step $step" >&2
  exit 2
  ;;
esac
