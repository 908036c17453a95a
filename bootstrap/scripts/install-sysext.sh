#!/bin/bash
# install-sysext NAME FILE [URL SHA512]
#
# Activates the system extension FILE as NAME (kubelet, kubectl and the CNI plugins for NAME
# "kubernetes"). When FILE is already there - baked into the image by `slipway image build`, or
# fetched on an earlier boot - nothing is downloaded. Otherwise it is downloaded from URL and
# must match SHA512 before it is moved into place; a mismatch stops here and leaves nothing.
set -euo pipefail
name=${1:?extension name}
file=${2:?extension file}
url=${3:-}
sha512=${4:-}

if [ ! -f "$file" ]; then
  if [ -z "$url" ] || [ -z "$sha512" ]; then
    echo "install-sysext: $file is not in the image and no download is configured;" \
      "bake it in (slipway image build --bake-kubernetes) or set kubernetes.binaries.source: sysext with its sha512" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$file")"
  tmp=$(mktemp "$file.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  echo "install-sysext: downloading $url"
  curl --fail --silent --show-error --location --retry 5 --retry-delay 3 --output "$tmp" "$url"
  actual=$(sha512sum "$tmp" | cut -d' ' -f1)
  if [ "$actual" != "$sha512" ]; then
    echo "install-sysext: $url has SHA-512 $actual, expected $sha512; not installing it" >&2
    exit 1
  fi
  mv "$tmp" "$file"
  trap - EXIT
else
  echo "install-sysext: $file is present; nothing to download"
fi

links=${SYSEXT_DIR:-/etc/extensions}
mkdir -p "$links"
ln -sfn "$file" "$links/$name.raw"
# merge it into /usr now (systemd-sysext merged what it found at boot before this ran)
systemctl restart systemd-sysext.service
echo "install-sysext: $name active from $file"
