#!/bin/bash
# prepare-volume VOLUME MOUNTPOINT LABEL
#
# Finds the cloud volume VOLUME (a Cinder or EBS volume id, a /dev path, or several /dev paths
# separated by "|" of which the first present one is used), gives it an ext4
# filesystem if - and only if - it has nothing on it, and mounts it at MOUNTPOINT. A machine that
# replaces a lost one finds the filesystem and keeps the data. Never formats a device that holds
# anything: a filesystem of another type or a partition table stops it with an error instead.
set -euo pipefail
volume=${1:?volume id or device}
mountpoint=${2:?mount point}
label=${3:?filesystem label}
# seconds to wait for the volume to appear; 0: for ever (saying so every minute)
timeout=${PREPARE_VOLUME_TIMEOUT:-600}

find_device() {
  local candidate
  case "$volume" in
    /dev/*)
      for candidate in ${volume//|/ }; do
        if [ -b "$candidate" ]; then
          readlink -f "$candidate"
          return 0
        fi
      done
      return 0
      ;;
  esac
  # Nova/virtio names the disk after the first 20 characters of the volume id; virtio-scsi uses
  # the whole id; EBS on NVMe uses the id without its dash.
  local short=${volume:0:20} nodash=${volume//-/} link
  for link in /dev/disk/by-id/*; do
    case "$link" in
      *"$short"* | *"$nodash"*) readlink -f "$link"; return 0 ;;
    esac
  done
  return 0
}

deadline=$((SECONDS + timeout))
said=$SECONDS
dev=$(find_device)
while [ -z "$dev" ]; do
  if [ "$timeout" -gt 0 ] && [ "$SECONDS" -ge "$deadline" ]; then
    echo "prepare-volume: volume $volume did not appear within ${timeout}s" >&2
    exit 1
  fi
  if [ $((SECONDS - said)) -ge "${PREPARE_VOLUME_SAY_EVERY:-60}" ]; then
    echo "prepare-volume: still waiting for volume $volume to be attached"
    said=$SECONDS
  fi
  sleep "${PREPARE_VOLUME_POLL:-2}"
  dev=$(find_device)
done

if mountpoint -q "$mountpoint" && [ "$(findmnt -n -o SOURCE "$mountpoint")" = "$dev" ]; then
  echo "prepare-volume: $dev already mounted at $mountpoint"
  exit 0
fi

# blkid exits 2 when it finds nothing at all: that is the only case we format.
probe=$(blkid -p -o export "$dev" || true)
fstype=$(sed -n 's/^TYPE=//p' <<<"$probe")
if [ -z "$probe" ]; then
  echo "prepare-volume: $dev is empty; creating an ext4 filesystem labelled $label"
  mkfs.ext4 -q -L "$label" "$dev"
elif [ "$fstype" != ext4 ]; then
  echo "prepare-volume: $dev is not empty and holds no ext4 filesystem (${probe//$'\n'/ }); not touching it" >&2
  exit 1
else
  echo "prepare-volume: $dev already has an ext4 filesystem; keeping its data"
fi

mkdir -p "$mountpoint"
mount -o noatime "$dev" "$mountpoint"
echo "prepare-volume: mounted $dev at $mountpoint"
