#!/bin/bash
# etcd-auth (etcd members, once their member runs): the cluster's etcd users and roles, then
# authentication on (bootstrap/pki/etcd-users.ts says who may touch what). Every member runs it,
# in any order, at every boot: what exists already is left as it is, so the outcome is the same.
# It acts as etcd's root user, by the members' root certificate (CN root).
#
# ETCD_AUTH_CONFIG lines:
#   role <name> <key>...         the role may read and write each key: a prefix when it ends in /
#   user <name> <role>           a user authenticated by its certificate's Common Name
#   nodes <role> <group>...      user node-<group> for each node group, by password: the first 32
#                                hex digits of SHA-256("<seed>:etcd:<group>"), seed in ETCD_SEED_FILE
set -euo pipefail
config=${ETCD_AUTH_CONFIG:?}
seed=$(tr -d '[:space:]' <"${ETCD_SEED_FILE:?}")
export ETCDCTL_API=3

# run <etcdctl args...> (stdin passed on): what exists already counts as done
run() {
  local err
  if ! err=$(etcdctl "$@" 2>&1 >/dev/null); then
    case "$err" in
      *"already exists"* | *"already granted"*) return 0 ;;
      *)
        echo "etcd-auth: etcdctl $1 $2 ${3:-}: ${err##*Error: }" >&2
        return 1
        ;;
    esac
  fi
}

# the member may have just started: wait for the cluster to have a leader
tries=0
until etcdctl endpoint health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt "${ETCD_AUTH_TRIES:-60}" ] || { echo "etcd-auth: etcd does not answer" >&2; exit 1; }
  sleep "${POLL_SECONDS:-5}"
done

run user add root --no-password
run user grant-role root root
users=0
# the config on fd 3: etcdctl is `docker run --interactive`, which takes all of standard input
while read -r kind name rest <&3; do
  case "$kind" in
    role)
      run role add "$name"
      for k in $rest; do
        case "$k" in
          */) run role grant-permission "$name" --prefix=true readwrite "$k" ;;
          *) run role grant-permission "$name" readwrite "$k" ;;
        esac
      done
      ;;
    user)
      run user add "$name" --no-password
      run user grant-role "$name" "$rest"
      users=$((users + 1))
      ;;
    nodes)
      for g in $rest; do
        # the password on standard input, never on a command line (other processes read those)
        printf '%s:etcd:%s' "$seed" "$g" | sha256sum | cut -c1-32 | run user add "node-$g" --interactive=false
        run user grant-role "node-$g" "$name"
        users=$((users + 1))
      done
      ;;
  esac
done 3<"$config"
etcdctl auth enable >/dev/null
echo "etcd-auth: $users users and their roles are in place; authentication is on"
