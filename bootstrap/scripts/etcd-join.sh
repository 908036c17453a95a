#!/bin/bash
# etcd-join (etcd members, before every start of etcd): decide how this member starts, so that a
# member never starts as a fresh member under its old name in a cluster that already exists.
#
# - its data directory is not on a mounted volume: refuse (etcd would write to the root disk, and
#   the next boot would find an empty directory again)
# - it has its data: it starts as itself (a restart, a reboot, a replaced machine with its volume)
# - it has no data, and no other member answers: the cluster is forming; start as one of its
#   first members (etcd.env's initial cluster, state "new")
# - it has no data and the others answer: the cluster exists. If this member ran before (the
#   cluster has its client URLs: its data is lost, a new volume), the old member is removed and
#   added again; if it never ran (it was added, or it is late for the first election: members of
#   the initial cluster are listed by name before they start), it joins as it is. Either way it
#   starts with state "existing" and the cluster's own member list.
#
# Writes JOIN_ENV (ETCD_* overrides for the etcd container; empty when etcd.env stands).
set -euo pipefail
data=${ETCD_DATA_DIR:?}
mount=${ETCD_MOUNT:-/var/lib/etcd}
out=${JOIN_ENV:-/run/etcd/join.env}
name=${ETCD_NAME:?}
peer_url=${ETCD_INITIAL_ADVERTISE_PEER_URLS:?}
# the other members' client URLs
peers=${ETCD_JOIN_PEERS:-}

mkdir -p "$(dirname "$out")"
write() {
  printf '%s' "$1" >"$out.tmp"
  mv "$out.tmp" "$out"
}

if ! mountpoint -q "$mount"; then
  echo "<3>etcd-join: $mount is not a mounted volume; etcd would keep its data on the root disk. Not starting." >&2
  exit 1
fi
if [ -d "$data/member" ]; then
  echo "etcd-join: $name has its data; starting as itself"
  write ""
  exit 0
fi
if [ -z "$peers" ]; then
  echo "etcd-join: $name is the only member; starting a new cluster"
  write ""
  exit 0
fi

export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=$peers
export ETCDCTL_DIAL_TIMEOUT=${ETCDCTL_DIAL_TIMEOUT:-3s} ETCDCTL_COMMAND_TIMEOUT=${ETCDCTL_COMMAND_TIMEOUT:-5s}
# id, status, name, peer URLs, client URLs, is learner
if ! list=$(etcdctl member list 2>/dev/null); then
  echo "etcd-join: $name has no data and no other member answers: the cluster is forming; starting as one of its first members"
  write ""
  exit 0
fi

# reconfigure: etcd refuses changes for a few seconds after a member (re)connects: retry for a while
reconfigure() {
  local tries=0
  until etcdctl member "$@" >/dev/null 2>"$out.err"; do
    tries=$((tries + 1))
    if [ "$tries" -ge "${RECONFIGURE_TRIES:-30}" ]; then
      cat "$out.err" >&2
      return 1
    fi
    sleep 2
  done
}

id=$(awk -F', ' -v u="$peer_url" '$4 == u { print $1 }' <<<"$list")
ran=$(awk -F', ' -v u="$peer_url" '$4 == u && $5 != "" { print "yes" }' <<<"$list")
if [ -n "$id" ] && [ -n "$ran" ]; then
  echo "<4>etcd-join: the cluster knows $name ($id) as a member that ran, but its data is gone (a new volume?): removing it and adding it again"
  reconfigure remove "$id"
  id=""
fi
if [ -z "$id" ]; then
  reconfigure add "$name" --peer-urls="$peer_url"
  echo "etcd-join: added $name to the cluster"
  list=$(etcdctl member list)
else
  echo "etcd-join: the cluster lists $name, not started yet: joining it"
fi

# the cluster's own member list, as etcdctl member add prints it: every member (etcd checks that
# the list matches the cluster's), this one by its name, others not started yet without one
initial=$(awk -F', ' -v me="$name" -v u="$peer_url" '{ n = ($4 == u) ? me : $3; printf "%s%s=%s", sep, n, $4; sep = "," }' <<<"$list")
write "ETCD_INITIAL_CLUSTER_STATE=existing
ETCD_INITIAL_CLUSTER=$initial
"
echo "etcd-join: $name joins the existing cluster ($initial)"
