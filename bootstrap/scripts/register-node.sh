#!/bin/bash
# Records this machine in etcd as <prefix>/<hostname> = {hostname, role, pool, addresses, bootId}
# under a lease of REGISTER_NODE_TTL seconds. Run by register-node.timer: each run keeps the
# lease alive, or registers again when it is gone (first boot, reboot, etcd outage longer than the
# TTL). When the machine dies its record expires by itself.
set -euo pipefail
ttl=${REGISTER_NODE_TTL:-60}
prefix=${REGISTER_NODE_PREFIX:-/slipway/nodes}
state=${REGISTER_NODE_STATE:-/run/slipway/register-node.lease}
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then host=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else host=$(hostname); fi
boot_id=$(cat "${BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}")
key="$prefix/$host"

if [ -s "$state" ] && etcdctl lease keep-alive --once "$(cat "$state")" >/dev/null 2>&1 &&
  [ -n "$(etcdctl get --print-value-only "$key")" ]; then
  exit 0
fi

addresses=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); printf "%s\"%s\"", (n++ ? "," : ""), a[1] }')
record=$(printf '{"hostname":"%s","role":"%s","pool":"%s","addresses":[%s],"bootId":"%s"}' \
  "$host" "${SLIPWAY_ROLE:-}" "${SLIPWAY_POOL:-}" "$addresses" "$boot_id")
lease=$(etcdctl lease grant "$ttl" | awk '/granted/ { print $2 }')
[ -n "$lease" ] || { echo "register-node: could not get a lease" >&2; exit 1; }
etcdctl put --lease="$lease" "$key" "$record" >/dev/null
mkdir -p "$(dirname "$state")"
echo "$lease" >"$state"
echo "register-node: registered $key with lease $lease (ttl ${ttl}s): $record"
