#!/bin/bash
# etcdctl (or etcdutl, installed under that name) from the pinned etcd image, talking to this
# machine's etcd proxy (127.0.0.1:2379) with the node's client certificate. Settings come from
# /etc/slipway/etcdctl.env unless the caller (a systemd unit with EnvironmentFile=) already has
# them. ETCDCTL_WORKDIR, when set, is a folder the tool may read and write (snapshots).
set -euo pipefail
tool=$(basename "$0")
case "$tool" in etcdctl | etcdutl) ;; *) tool=etcdctl ;; esac
if [ -z "${ETCDCTL_ENDPOINTS:-}" ]; then
  set -a
  # shellcheck source=/dev/null
  . /etc/slipway/etcdctl.env
  set +a
fi
set -a
# shellcheck source=/dev/null
. /etc/slipway/images.env
set +a
# --interactive: standard input reaches etcdctl (txn and user add read it; docker passes none without)
exec /usr/bin/docker run --rm --interactive --network host \
  --volume /etc/ssl/etcd:/etc/ssl/etcd:ro \
  ${ETCDCTL_WORKDIR:+--volume "$ETCDCTL_WORKDIR:$ETCDCTL_WORKDIR"} \
  --env ETCDCTL_ENDPOINTS --env ETCDCTL_CACERT --env ETCDCTL_CERT --env ETCDCTL_KEY --env ETCDCTL_USER \
  --env ETCDCTL_DIAL_TIMEOUT --env ETCDCTL_COMMAND_TIMEOUT \
  --entrypoint "/usr/local/bin/$tool" "$ETCD_IMAGE" "$@"
