#!/bin/bash
# Reboots this machine for an installed Flatcar update - but only one machine of its group at a
# time: "control" for etcd members and masters (so they never go down together and etcd keeps its
# quorum), "pool-<name>" for each worker pool.
#
# The group's lock is a key in etcd holding the name of the machine that reboots, under a lease of
# REBOOT_LOCK_TTL seconds that its holder refreshes at every run - across its own reboot, too (the
# timer runs again minutes after boot). A machine that dies holding it blocks its group only until
# the lease runs out; one that comes back unhealthy keeps it (and its group waits, on purpose).
#
# Kubernetes nodes are drained before the reboot and uncordoned after it, by the masters
# (drain-nodes.sh: they hold the credentials; a node cannot evict others' pods): the machine asks
# under <drain prefix>/<name> and waits. A drain that cannot finish (a PodDisruptionBudget that
# does not allow it) cancels this reboot: the node is uncordoned, the lock given back, and the next
# run tries again.
#
# etcd not answering - at boot, before the proxy is up, or in the middle of a run (an election, a
# member of the group going down for its own reboot) - is not a failure: the next run tries again.
set -euo pipefail
group=${REBOOT_GROUP:?reboot group}
key="${REBOOT_PREFIX:-/slipway/reboot}/$group"
ttl=${REBOOT_LOCK_TTL:-900}
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then host=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else host=$(hostname); fi
drain_key="${DRAIN_PREFIX:-/slipway/drain}/$host"
drain=${REBOOT_DRAIN:-no}
poll=${REBOOT_POLL_SECONDS:-10}
wait_drain=${REBOOT_DRAIN_WAIT:-1800}

# value and lease (hex) of a key; fails when etcd does not answer
read_key() {
  local fields
  fields=$(etcdctl get "$1" -w fields) || return 1
  value=$(sed -n 's/^"Value" : "\(.*\)"$/\1/p' <<<"$fields")
  local lease_dec
  lease_dec=$(sed -n 's/^"Lease" : \([0-9]*\)$/\1/p' <<<"$fields")
  lease=""
  if [ -n "$lease_dec" ] && [ "$lease_dec" != 0 ]; then lease=$(printf '%x' "$lease_dec"); fi
}

# wait_for <value...>: until the drain key holds one of them (or is gone: ""), refreshing our lease
wait_for() {
  local deadline=$((SECONDS + wait_drain)) want
  while :; do
    etcdctl lease keep-alive --once "$our_lease" >/dev/null 2>&1 || true
    read_key "$drain_key" || value="?"
    for want in "$@"; do [ "$value" = "$want" ] && return 0; done
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep "$poll"
  done
}

# later <what>: etcd did not answer a step; the lock (if ours) stays under its lease, the next run goes on
later() {
  echo "coordinate-reboot: etcd did not answer ($1); trying again at the next run"
  exit 0
}

release() {
  printf 'value("%s") = "%s"\n\ndel %s\n\n\n' "$key" "$host" "$key" | etcdctl txn >/dev/null || later "giving the lock back"
  [ -z "$our_lease" ] || etcdctl lease revoke "$our_lease" >/dev/null 2>&1 || true
}

if ! read_key "$key"; then
  echo "coordinate-reboot: etcd does not answer yet; trying again at the next run"
  exit 0
fi
holder=$value our_lease=$lease

if [ "$holder" = "$host" ]; then
  # ours, from before our reboot: keep it alive while we come back
  [ -z "$our_lease" ] || etcdctl lease keep-alive --once "$our_lease" >/dev/null || later "keeping the lock alive"
  if ! sh -c "${REBOOT_HEALTH_CHECK:-true}" >/dev/null 2>&1; then
    echo "coordinate-reboot: back from the reboot but not healthy yet; keeping the $group lock"
    exit 0
  fi
  if [ "$drain" = yes ]; then
    etcdctl put "$drain_key" uncordon >/dev/null || later "asking for the uncordon"
    if ! wait_for ""; then
      echo "coordinate-reboot: no master has uncordoned $host yet; keeping the $group lock"
      exit 0
    fi
  fi
  release
  echo "coordinate-reboot: healthy again; released the $group lock"
  exit 0
fi

# drained for a reboot whose lock ran out before we were back (a long reboot): uncordon anyway
if [ "$drain" = yes ] && read_key "$drain_key" && [ "$value" = drained ] && sh -c "${REBOOT_HEALTH_CHECK:-true}" >/dev/null 2>&1; then
  etcdctl put "$drain_key" uncordon >/dev/null || later "asking for the uncordon"
  echo "coordinate-reboot: back from a reboot after the $group lock ran out; asked the masters to uncordon $host"
fi

status=$(update_engine_client -status 2>/dev/null | sed -n 's/^CURRENT_OP=//p')
[ "$status" = "UPDATE_STATUS_UPDATED_NEED_REBOOT" ] || exit 0

if [ -n "$holder" ]; then
  echo "coordinate-reboot: an update is waiting; $holder reboots first (group $group)"
  exit 0
fi
our_lease=$(etcdctl lease grant "$ttl" | awk '/granted/ { print $2 }') || later "granting a lease"
[ -n "$our_lease" ] || { echo "coordinate-reboot: etcd gave no lease; trying again at the next run"; exit 0; }
# take the lock only if nobody holds it (create revision 0: the key does not exist)
if ! result=$(printf 'create("%s") = "0"\n\nput --lease=%s %s %s\n\n\n' "$key" "$our_lease" "$key" "$host" | etcdctl txn); then
  # it may have been taken with the answer lost: the lock goes with our lease
  etcdctl lease revoke "$our_lease" >/dev/null 2>&1 || true
  later "taking the lock"
fi
if [ "$(head -n 1 <<<"$result")" != SUCCESS ]; then
  etcdctl lease revoke "$our_lease" >/dev/null 2>&1 || true
  echo "coordinate-reboot: another machine of group $group took the lock first"
  exit 0
fi

if [ "$drain" = yes ]; then
  echo "coordinate-reboot: holding the $group lock; asking the masters to drain $host"
  etcdctl put "$drain_key" drain >/dev/null || later "asking for the drain"
  if ! wait_for drained failed || [ "$value" != drained ]; then
    echo "<4>coordinate-reboot: $host could not be drained (${value:-no answer}); not rebooting now, trying again later"
    etcdctl put "$drain_key" uncordon >/dev/null || later "asking for the uncordon"
    wait_for "" || true
    release
    exit 0
  fi
fi
echo "coordinate-reboot: rebooting for the installed update (holding the $group lock)"
systemctl reboot
