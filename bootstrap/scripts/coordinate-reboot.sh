#!/bin/bash
# Reboots this machine for an installed Flatcar update - but only one machine of its group at a
# time: "control" for etcd members and masters (so they never go down together and etcd keeps its
# quorum), "pool-<name>" for each worker pool. The group's lock is a key in etcd holding the name
# of the machine that reboots; that machine gives it back once it is healthy again.
set -euo pipefail
group=${REBOOT_GROUP:?reboot group}
key="${REBOOT_PREFIX:-/slipway/reboot}/$group"
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then host=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else host=$(hostname); fi
holder=$(etcdctl get --print-value-only "$key")

if [ "$holder" = "$host" ]; then
  if ! sh -c "${REBOOT_HEALTH_CHECK:-true}" >/dev/null 2>&1; then
    echo "coordinate-reboot: back from the reboot but not healthy yet; keeping the $group lock"
    exit 0
  fi
  # give it back only if it is still ours
  printf 'value("%s") = "%s"\n\ndel %s\n\n\n' "$key" "$host" "$key" | etcdctl txn >/dev/null
  echo "coordinate-reboot: healthy again; released the $group lock"
  exit 0
fi

status=$(update_engine_client -status 2>/dev/null | sed -n 's/^CURRENT_OP=//p')
[ "$status" = "UPDATE_STATUS_UPDATED_NEED_REBOOT" ] || exit 0

if [ -n "$holder" ]; then
  echo "coordinate-reboot: an update is waiting; $holder reboots first (group $group)"
  exit 0
fi
# take the lock only if nobody holds it (create revision 0: the key does not exist)
result=$(printf 'create("%s") = "0"\n\nput %s %s\n\n\n' "$key" "$key" "$host" | etcdctl txn)
if [ "$(head -n 1 <<<"$result")" != SUCCESS ]; then
  echo "coordinate-reboot: another machine of group $group took the lock first"
  exit 0
fi
echo "coordinate-reboot: rebooting for the installed update (holding the $group lock)"
systemctl reboot
