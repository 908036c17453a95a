#!/bin/bash
# node-identity (OpenStack): writes what the kubelet and node services need to know about this
# machine to $NODE_IDENTITY (default /run/slipway/node-identity.env):
#   PROVIDER_ID  openstack:///<instance uuid> - the cloud controller manager finds the server by it
#   NODE_IP      the address this machine reaches the cluster from (never docker0, cni0, flannel.1)
# The uuid comes from Nova's metadata service (the host may reach it; pods may not), retried
# while the network comes up, and from the config drive when the service does not answer.
set -euo pipefail
out=${NODE_IDENTITY:-/run/slipway/node-identity.env}
metadata=${METADATA_URL:-http://169.254.169.254/openstack/latest/meta_data.json}
route_to=${CLUSTER_ADDRESS:?an address inside the cluster network}

uuid=""
for _ in $(seq 1 "${METADATA_TRIES:-60}"); do
  if json=$(curl --fail --silent --max-time 3 "$metadata") && uuid=$(jq -er '.uuid' <<<"$json"); then break; fi
  uuid=""
  # the config drive carries the same document
  drive=$(blkid -L config-2 2>/dev/null || true)
  if [ -n "$drive" ]; then
    mnt=$(mktemp -d)
    if mount -o ro "$drive" "$mnt" 2>/dev/null; then
      uuid=$(jq -er '.uuid' "$mnt/openstack/latest/meta_data.json" 2>/dev/null || true)
      umount "$mnt"
    fi
    rmdir "$mnt"
    [ -n "$uuid" ] && break
  fi
  sleep "${METADATA_RETRY_SECONDS:-2}"
done
[ -n "$uuid" ] || { echo "node-identity: no instance uuid from $metadata or the config drive" >&2; exit 1; }

ip=$(ip -4 -o route get "$route_to" | sed -n 's/.* src \([0-9.]*\).*/\1/p')
[ -n "$ip" ] || { echo "node-identity: no route to $route_to" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
printf 'PROVIDER_ID=openstack:///%s\nNODE_IP=%s\n' "$uuid" "$ip" >"$out.tmp"
mv "$out.tmp" "$out"
echo "node-identity: openstack:///$uuid at $ip"
