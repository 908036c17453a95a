#!/bin/bash
# Emulation (test/vm/emulation.ts): /usr/bin/docker of the VM tier's machines. The pinned etcd
# image (registry.k8s.io/etcd:<version>@sha256:…) cannot be pulled offline; every argument naming
# it is replaced by the local stand-in built from Debian's etcd (imported on first use, once), and
# the substitution is logged. Everything else goes to Docker unchanged.
set -euo pipefail
real=/usr/bin/docker.real
standin=$(cat /usr/share/slipway-emulation/etcd-image)
args=()
for a in "$@"; do
  case "$a" in
    registry.k8s.io/etcd:*)
      # a marker per boot saves a docker call (seconds under emulation) every time after the first
      if [ ! -e /run/slipway-emulation-imported ] && ! "$real" image inspect "$standin" >/dev/null 2>&1; then
        exec 9>/run/slipway-emulation-docker.lock
        flock 9
        "$real" image inspect "$standin" >/dev/null 2>&1 ||
          "$real" import /usr/share/slipway-emulation/etcd-image.tar "$standin" >/dev/null
        exec 9>&-
      fi
      : >/run/slipway-emulation-imported
      logger -t slipway-emulation "docker: $a stands in as $standin"
      args+=("$standin")
      ;;
    *) args+=("$a") ;;
  esac
done
exec "$real" "${args[@]}"
