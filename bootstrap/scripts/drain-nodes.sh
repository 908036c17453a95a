#!/bin/bash
# drain-nodes (masters, always running): drain and uncordon nodes that ask for it under
# DRAIN_PREFIX/<node> in etcd before and after their update reboot (coordinate-reboot.sh). The
# masters do it because they hold the credentials: letting every node evict pods and cordon
# nodes would let one compromised node pull any pod onto itself.
#
#   drain     claimed by one master (value "draining:<master>:<time>", set only if still
#             "drain"), which cordons the node and drains it through the eviction API - so
#             PodDisruptionBudgets hold - then writes "drained", or "failed" when it cannot
#             finish within DRAIN_TIMEOUT seconds; a claim older than DRAIN_CLAIM_SECONDS (its
#             master died) is taken over
#   uncordon  uncordoned, and the request deleted
set -euo pipefail
prefix=${DRAIN_PREFIX:-/slipway/drain}
timeout=${DRAIN_TIMEOUT:-900}
claim_age=${DRAIN_CLAIM_SECONDS:-1200}
poll=${DRAIN_POLL_SECONDS:-10}
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then me=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else me=$(hostname); fi

# swap <key> <expected value> <new value>: set it only if it still holds what we read
swap() {
  [ "$(printf 'value("%s") = "%s"\n\nput %s %s\n\n\n' "$1" "$2" "$1" "$3" | etcdctl txn | head -n 1)" = SUCCESS ]
}

drain_node() {
  local node=$1 key=$2 claim=$3 log
  log=$(mktemp)
  echo "drain-nodes: draining $node"
  if kubectl drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout="${timeout}s" >"$log" 2>&1; then
    swap "$key" "$claim" drained && echo "drain-nodes: drained $node"
  else
    echo "<4>drain-nodes: could not drain $node: $(tail -n 3 "$log" | tr '\n' ' ')" >&2
    swap "$key" "$claim" failed || true
  fi
  rm -f "$log"
}

pass() {
  local out key value node claim since
  out=$(etcdctl get --prefix "$prefix/") || return 0
  while IFS= read -r key && IFS= read -r value; do
    node=${key#"$prefix/"}
    case "$value" in
      drain | draining:*)
        if [ "$value" != drain ]; then
          since=${value##*:}
          [ $(($(date +%s) - since)) -ge "$claim_age" ] || continue
          echo "drain-nodes: the drain of $node claimed by ${value#draining:} is stale; taking it over"
        fi
        claim="draining:$me:$(date +%s)"
        swap "$key" "$value" "$claim" || continue
        drain_node "$node" "$key" "$claim"
        ;;
      uncordon)
        if kubectl uncordon "$node" >/dev/null; then
          printf 'value("%s") = "uncordon"\n\ndel %s\n\n\n' "$key" "$key" | etcdctl txn >/dev/null
          echo "drain-nodes: uncordoned $node"
        fi
        ;;
    esac
  done <<<"$out"
}

while :; do
  pass
  [ -z "${DRAIN_ONCE:-}" ] || exit 0
  sleep "$poll"
done
