#!/bin/bash
# block-metadata POD_NETWORK [ADDRESS]
#
# Drops traffic from pods (POD_NETWORK) to the cloud metadata service: user_data holds this
# machine's secrets. The rule sits in the mangle table's PREROUTING chain, which sees pod traffic
# before routing and which neither flannel nor kube-proxy rewrite. Host processes (and hostNetwork
# pods, which are the host) keep their access. Idempotent.
set -euo pipefail
pods=${1:?pod network CIDR}
address=${2:-169.254.169.254/32}
rule=(PREROUTING -s "$pods" -d "$address" -j DROP -m comment --comment "slipway: pods may not reach the metadata service")
if ! iptables -w -t mangle -C "${rule[@]}" 2>/dev/null; then
  iptables -w -t mangle -I "${rule[@]}"
fi
echo "block-metadata: traffic from $pods to $address is dropped"
