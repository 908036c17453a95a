#!/bin/bash
# join-tokens (masters): keep every worker pool's bootstrap tokens in the cluster. A pool's token
# changes every JOIN_TOKEN_DAYS days (a period) and works until the end of the period after; it
# is derived from the seed exactly as Terraform derives the one it gives new machines
# (bootstrap/kube/join.ts), so this script stores the tokens of the previous, current and next
# period and nothing else needs to be told. The controller-manager's tokencleaner deletes expired
# ones; the API server refuses them either way. Each token authenticates in the pool's own group,
# by which the CSR approver allows only that pool's machine names.
set -euo pipefail
seed=$(tr -d '[:space:]' <"${JOIN_SEED_FILE:-/etc/kubernetes/join-seed}")
[ -n "$seed" ] || { echo "join-tokens: the seed is empty" >&2; exit 1; }
days=${JOIN_TOKEN_DAYS:?days per period}
IFS=, read -ra pools <<<"${JOIN_POOLS:?the worker pools, comma-separated}"
now=${JOIN_NOW:-$(date +%s)}
length=$((days * 86400))
k=$((now / length))

hex() { printf '%s' "$1" | sha256sum | cut -c "1-$2"; }

secrets() {
  for pool in "${pools[@]}"; do
    for p in $((k - 1)) "$k" $((k + 1)); do
      jq -n --arg pool "$pool" --arg id "$(hex "$seed:$pool:$p:id" 6)" --arg secret "$(hex "$seed:$pool:$p:secret" 16)" \
        --arg expires "$(date -u -d "@$(((p + 2) * length))" +%Y-%m-%dT%H:%M:%SZ)" '{
          apiVersion: "v1", kind: "Secret", type: "bootstrap.kubernetes.io/token",
          metadata: { name: "bootstrap-token-\($id)", namespace: "kube-system", labels: { "slipway/pool": $pool } },
          stringData: {
            description: "slipway: machines of worker pool \($pool) join with this token",
            "token-id": $id, "token-secret": $secret, expiration: $expires,
            "usage-bootstrap-authentication": "true",
            "auth-extra-groups": "system:bootstrappers:slipway:pool-\($pool)"
          } }'
    done
  done
}

until kubectl get --raw=/readyz >/dev/null 2>&1; do
  echo "join-tokens: waiting for the API"
  sleep 5
done
secrets | jq -s '{ apiVersion: "v1", kind: "List", items: . }' | kubectl apply --server-side --field-manager=slipway-join-tokens -f - >/dev/null
echo "join-tokens: tokens of periods $((k - 1))-$((k + 1)) stored for pools: ${pools[*]}"
