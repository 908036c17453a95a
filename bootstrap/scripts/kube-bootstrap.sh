#!/bin/bash
# On every master: once the API answers (through the local load balancer), apply the cluster's
# bootstrap objects - RBAC for joining nodes and approving their certificates, the join token,
# kube-proxy, CoreDNS - and mark this machine as a control-plane node. Every master runs it, in
# any order: applying is idempotent.
set -euo pipefail
dir=${KUBE_BOOTSTRAP_DIR:-/etc/kubernetes/bootstrap}
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then node=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else node=$(hostname); fi

until kubectl get --raw=/readyz >/dev/null 2>&1; do
  echo "kube-bootstrap: waiting for the API"
  sleep 5
done
kubectl apply --server-side --force-conflicts --field-manager=slipway -f "$dir"
until kubectl get node "$node" >/dev/null 2>&1; do
  echo "kube-bootstrap: waiting for $node to register"
  sleep 5
done
kubectl label node "$node" node-role.kubernetes.io/control-plane= --overwrite
echo "kube-bootstrap: done"
