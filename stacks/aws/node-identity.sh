#!/bin/bash
# node-identity (AWS): writes what the kubelet and node services need to know about this machine
# to $NODE_IDENTITY (default /run/slipway/node-identity.env):
#   PROVIDER_ID  aws:///<availability zone>/<instance id> - the cloud controller manager's format
#   NODE_IP      the address this machine reaches the cluster from (never docker0, cni0, flannel.1)
# From the instance metadata service with an IMDSv2 session token (hop limit 1: the host only),
# retried while the network comes up.
set -euo pipefail
out=${NODE_IDENTITY:-/run/slipway/node-identity.env}
imds=${METADATA_URL:-http://169.254.169.254}
route_to=${CLUSTER_ADDRESS:?an address inside the cluster network}

get() { curl --fail --silent --max-time 3 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/$1"; }
zone="" id=""
for _ in $(seq 1 "${METADATA_TRIES:-60}"); do
  if token=$(curl --fail --silent --max-time 3 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$imds/latest/api/token") &&
    zone=$(get placement/availability-zone) && id=$(get instance-id); then break; fi
  zone="" id=""
  sleep "${METADATA_RETRY_SECONDS:-2}"
done
if [ -z "$zone" ] || [ -z "$id" ]; then
  echo "node-identity: the instance metadata service at $imds does not answer" >&2
  exit 1
fi

ip=$(ip -4 -o route get "$route_to" | sed -n 's/.* src \([0-9.]*\).*/\1/p')
[ -n "$ip" ] || { echo "node-identity: no route to $route_to" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
printf 'PROVIDER_ID=aws:///%s/%s\nNODE_IP=%s\n' "$zone" "$id" "$ip" >"$out.tmp"
mv "$out.tmp" "$out"
echo "node-identity: aws:///$zone/$id at $ip"
