#!/bin/bash
# Records this machine in etcd as <prefix>/<hostname> = {hostname, role, pool, address, bootId}
# under a lease of REGISTER_NODE_TTL seconds, then keeps that one lease alive with one long-lived
# `etcdctl lease keep-alive` for as long as the machine runs (no process every few seconds). The
# address is the one the machine reaches the cluster from (NODE_IP, from node-identity). When the
# keep-alive ends - etcd out of reach for longer than the lease - the unit restarts and registers
# anew; when the machine dies, its record expires by itself.
set -euo pipefail
ttl=${REGISTER_NODE_TTL:-60}
prefix=${REGISTER_NODE_PREFIX:-/slipway/nodes}
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then host=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else host=$(hostname); fi
boot_id=$(cat "${BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}")
address=${NODE_IP:?cluster address of this machine, from node-identity}
key="$prefix/$host"

record=$(jq -cn --arg hostname "$host" --arg role "${SLIPWAY_ROLE:-}" --arg pool "${SLIPWAY_POOL:-}" \
  --arg address "$address" --arg bootId "$boot_id" '$ARGS.named')
lease=$(etcdctl lease grant "$ttl" | awk '/granted/ { print $2 }')
[ -n "$lease" ] || { echo "register-node: could not get a lease" >&2; exit 1; }
etcdctl put --lease="$lease" "$key" "$record" >/dev/null
echo "register-node: registered $key with lease $lease (ttl ${ttl}s): $record"
# each refresh it prints would be a journal line every ttl/3 s on every machine, for ever: errors only
exec etcdctl lease keep-alive "$lease" >/dev/null
