#!/bin/bash
# Writes flannel's network config into etcd unless a machine has done so already. Every machine
# runs this before flanneld; the config comes from the cluster file, so all of them agree, and an
# operator's later change in etcd is never overwritten.
set -euo pipefail
key=${FLANNEL_ETCD_PREFIX:-/coreos.com/network}/config
want=$(cat "${FLANNEL_NETWORK_CONFIG:?path of the network config}")
have=$(etcdctl get --print-value-only "$key")
if [ -z "$have" ]; then
  etcdctl put "$key" "$want" >/dev/null
  echo "flannel-network-config: wrote $key: $want"
elif [ "$have" = "$want" ]; then
  echo "flannel-network-config: $key is already set"
else
  echo "flannel-network-config: $key differs from this machine's config; leaving it as it is: $have" >&2
fi
