#!/bin/bash
# On every master: once the API answers (through the local load balancer), apply a directory of
# objects once per version - the cluster's bootstrap objects (RBAC for joining nodes and approving
# their certificates, kube-proxy, CoreDNS; then this machine is marked a control-plane node), or,
# run by slipway-addons.service, the addon bundle (bootstrap/addons/bundle.ts).
#
# Once per version, so an operator's later edits stay and a rollout never flips back: a ConfigMap
# in kube-system (BOOTSTRAP_RECORD: slipway-bootstrap, or slipway-addons) records the version
# applied (BOOTSTRAP_VERSION, "<kubernetes>+slipway.<slipway>") and the digest of its objects. A
# master applies only when its version is newer than the record's (or there is none): an older
# master - one still running while its replacements roll out - never does; an equal one only
# finishes an apply that was interrupted. The record is claimed before the apply with the API's
# optimistic concurrency (create, or replace at the resourceVersion read), so two masters never
# both think they are newest, and held while the apply runs: a newer master waits for it, or takes
# it over once it is CLAIM_SECONDS old (a master that died holding it blocks nobody for long). The
# apply is server-side without --force-conflicts: a field someone else took over since is a
# conflict, reported and left alone (exit 3, which the unit does not retry).
#
# The files are applied one at a time in the order of their names. A file whose kinds do not exist
# yet (a ClusterIssuer before cert-manager's chart has made its CRDs) is applied again until they
# do, saying what it waits for; the files before it stay applied.
set -euo pipefail
dir=${KUBE_BOOTSTRAP_DIR:-/etc/kubernetes/bootstrap}
version=${BOOTSTRAP_VERSION:?}
what=${BOOTSTRAP_WHAT:-kube-bootstrap} objects="the ${BOOTSTRAP_OBJECTS:-bootstrap objects}"
ns=kube-system marker=${BOOTSTRAP_RECORD:-slipway-bootstrap} claim_seconds=${CLAIM_SECONDS:-600} poll=${POLL_SECONDS:-5}
if [ -s "${HOSTNAME_FILE:-/etc/hostname}" ]; then node=$(tr -d '[:space:]' <"${HOSTNAME_FILE:-/etc/hostname}"); else node=$(hostname); fi
mapfile -t files < <(find "$dir" -maxdepth 1 -type f \( -name '*.json' -o -name '*.yaml' \) | LC_ALL=C sort)
[ "${#files[@]}" -gt 0 ] || { echo "$what: nothing to apply in $dir" >&2; exit 1; }
digest=$(cat "${files[@]}" | sha256sum | cut -c1-16)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

until kubectl get --raw=/readyz >/dev/null 2>&1; do
  echo "$what: waiting for the API"
  sleep "$poll"
done

# newer A B: A is a later version than B (kubernetes first, then slipway's)
newer() {
  local a=${1/+slipway./.} b=${2/+slipway./.}
  [ "$a" != "$b" ] && [ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | tail -n1)" = "$a" ]
}

# marker <state> [resourceVersion]: the record this master writes
marker() {
  jq -n --arg m "$marker" --arg v "$version" --arg d "$digest" --arg s "$1" --arg n "$node" --arg rv "${2:-}" --arg t "$(date -u +%s)" '{
    apiVersion: "v1", kind: "ConfigMap",
    metadata: ({name: $m, namespace: "kube-system"} + (if $rv == "" then {} else {resourceVersion: $rv} end)),
    data: {version: $v, digest: $d, state: $s, by: $n, since: $t}}'
}

# decide: sets $action to apply|skip, claiming the record for an apply; 2: ask again
decide() {
  local current rv theirs state by since age
  if ! current=$(kubectl -n "$ns" get configmap "$marker" -o json 2>"$work/err"); then
    grep -q NotFound "$work/err" || { cat "$work/err" >&2; return 1; }
    marker applying | kubectl create -f - >/dev/null 2>"$work/err" && { action=apply; return; }
    return 2 # another master created it first
  fi
  rv=$(jq -r '.metadata.resourceVersion' <<<"$current")
  theirs=$(jq -r '.data.version // ""' <<<"$current")
  state=$(jq -r '.data.state // ""' <<<"$current")
  by=$(jq -r '.data.by // ""' <<<"$current")
  since=$(jq -r '.data.since // "0"' <<<"$current")
  age=$(($(date -u +%s) - since))
  if newer "$theirs" "$version"; then
    echo "$what: the cluster runs $objects of $theirs, newer than this master's $version: leaving them"
    action=skip
    return
  fi
  if [ "$theirs" = "$version" ] && [ "$state" = applied ]; then
    [ "$(jq -r '.data.digest' <<<"$current")" = "$digest" ] ||
      echo "<4>$what: $version was applied with other objects than this master's (its cluster file differs): leaving them"
    action=skip
    return
  fi
  if [ "$state" = applying ] && [ "$by" != "$node" ] && [ "$age" -lt "$claim_seconds" ]; then
    echo "$what: $by is applying $theirs: waiting"
    sleep "$poll"
    return 2
  fi
  # ours is newer, or an apply of it was left unfinished: claim the record where we read it
  marker applying "$rv" | kubectl replace -f - >/dev/null 2>"$work/err" && { action=apply; return; }
  return 2 # the record changed since we read it
}

while :; do
  rc=0
  decide || rc=$?
  [ "$rc" -eq 0 ] && break
  [ "$rc" -eq 2 ] || exit 1
done

# apply_all: every file in order; 3 on a conflict (in $work/out)
apply_all() {
  local f waiting
  for f in "${files[@]}"; do
    until kubectl apply --server-side --field-manager=slipway -f "$f" >"$work/out" 2>&1; do
      grep -q -i conflict "$work/out" && return 3
      if waiting=$(grep -o 'no matches for kind "[^"]*" in version "[^"]*"' "$work/out"); then
        echo "$what: $(basename "$f") waits for kinds that do not exist yet: $(sort -u <<<"$waiting" | sed 's/no matches for kind //' | paste -sd' ')"
        sleep "$poll"
        continue
      fi
      cat "$work/out" >&2
      return 1
    done
    cat "$work/out"
  done
}

status=0
if [ "$action" = apply ]; then
  rc=0
  apply_all || rc=$?
  if [ "$rc" -eq 0 ]; then
    rv=$(kubectl -n "$ns" get configmap "$marker" -o jsonpath='{.metadata.resourceVersion}')
    marker applied "$rv" | kubectl replace -f - >/dev/null
    echo "$what: applied $objects of $version"
  elif [ "$rc" -eq 3 ]; then
    cat "$work/out" >&2
    echo "<3>$what: not applying $version over changes made since by others (above); slipway never forces them." \
      "Keep them by leaving this as it is, or give the fields back (kubectl apply --server-side --force-conflicts" \
      "--field-manager=slipway -f $dir) and restart the unit" >&2
    status=3
  else
    exit 1
  fi
fi

[ "${LABEL_CONTROL_PLANE:-}" = yes ] || exit "$status"
until kubectl get node "$node" >/dev/null 2>&1; do
  echo "$what: waiting for $node to register"
  sleep "$poll"
done
kubectl label node "$node" node-role.kubernetes.io/control-plane= --overwrite
echo "$what: done"
exit "$status"
