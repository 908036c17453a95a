#!/bin/bash
# etcdctl (or etcdutl, installed under that name) from the pinned etcd image, talking to this
# machine's etcd proxy (127.0.0.1:2379) with the node's client certificate. A caller that has
# ETCDCTL_ENDPOINTS (a unit with its own EnvironmentFile=, e.g. etcd-join as etcd's root by
# certificate) gets nothing from /etc/slipway/etcdctl.env; otherwise each of its settings applies
# unless given as a flag (`--endpoints=…`): etcdctl refuses a flag whose ETCDCTL_* variable is
# also set ("conflicting environment variable").
#
# Flatcar ships no etcdctl. The tool is copied out of the pinned image once per image (a folder
# named by the image reference's hash, under /opt/slipway/lib) and then run directly: a container
# per call would cost a container start every time a script asks etcd something (dozens at first
# boot), and docker would copy standard input into it whether the tool reads it or not. The
# image's binaries are static, so they run on the host as they run in the image.
set -euo pipefail
tool=$(basename "$0")
case "$tool" in etcdctl | etcdutl) ;; *) tool=etcdctl ;; esac
if [ -z "${ETCDCTL_ENDPOINTS:-}" ]; then
  given=" "
  for a in "$@"; do
    case "$a" in --[a-z]*) f=${a#--} f=${f%%=*} given+="ETCDCTL_$(tr a-z- A-Z_ <<<"$f") " ;; esac
  done
  while IFS='=' read -r k v; do
    case "$k" in ETCDCTL_*) ;; *) continue ;; esac
    [[ $given == *" $k "* ]] || export "$k=$v"
  done < /etc/slipway/etcdctl.env
fi
# shellcheck source=/dev/null
. /etc/slipway/images.env
lib=/opt/slipway/lib
dir="$lib/etcd-$(sha256sum <<<"$ETCD_IMAGE" | cut -c1-16)"
if [ ! -x "$dir/$tool" ]; then
  mkdir -p "$lib"
  exec 9>"$lib/.lock"
  flock 9
  if [ ! -x "$dir/$tool" ]; then
    tmp=$(mktemp -d "$lib/.new.XXXXXX") id=""
    cleanup() { [ -z "$id" ] || docker rm "$id" >/dev/null || true; rm -rf "$tmp"; }
    trap cleanup EXIT
    # docker create pulls the image when it is not there yet; nothing of it runs
    id=$(docker create --entrypoint "/usr/local/bin/$tool" "$ETCD_IMAGE")
    if ! docker cp "$id:/usr/local/bin/$tool" "$tmp/$tool" || ! "$tmp/$tool" version >/dev/null; then
      echo "$tool: could not take /usr/local/bin/$tool from $ETCD_IMAGE" >&2
      exit 1
    fi
    mkdir -p "$dir"
    mv "$tmp/$tool" "$dir/$tool"
    trap - EXIT
    cleanup
    # the tools of images no longer pinned go (only folders this script made)
    for old in "$lib"/etcd-*; do [ "$old" = "$dir" ] || rm -rf "$old"; done
  fi
  exec 9>&-
fi
exec "$dir/$tool" "$@"
