#!/bin/bash
# base-image.sh OUT_DIR
#
# Builds the VM tier's base machine once: a Debian 12 root file system (debootstrap) standing in
# for Flatcar's /usr, with its kernel and initrd, and the emulation layer of test/vm/emulation.ts
# (README "VM system test": what each piece stands in for, and why). Writes into OUT_DIR.tmp and
# renames it to OUT_DIR only when everything is there, so an interrupted build leaves no half
# image behind; the caller (test/helpers/vm.ts) keys OUT_DIR by everything this script reads.
#
# Inputs: VM_PACKAGES (space-separated), VM_SUITE, VM_MIRROR, and the files next to this script.
set -euo pipefail
out=${1:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
suite=${VM_SUITE:-bookworm}
mirror=${VM_MIRROR:-http://deb.debian.org/debian}
packages=${VM_PACKAGES:?packages of the base machine}
work="$out.tmp"
rm -rf "$work"
mkdir -p "$work"
root="$work/rootfs"

echo "base-image: debootstrap $suite from $mirror"
debootstrap --variant=minbase --include="${packages// /,}" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# --- the stand-in for the pinned etcd image: Debian's etcd in a container image of its own ------
# Debian's etcd binaries link against libc only; the image holds them at the paths the pinned
# image has (/usr/local/bin/etcd, /usr/local/bin/etcdctl) and the loader and libc beside them.
debs="$work/debs"
mkdir -p "$debs"
(cd "$debs" && apt-get download -qq etcd-server etcd-client >/dev/null)
img="$work/etcd-image"
mkdir -p "$img/usr/local/bin" "$img/lib/x86_64-linux-gnu" "$img/lib64" "$img/tmp" "$img/etc"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/x"; done
cp "$debs/x/usr/bin/etcd" "$debs/x/usr/bin/etcdctl" "$img/usr/local/bin/"
# etcd 3.4 has no etcdutl; its etcdctl takes the same `snapshot status|restore` (offline, same
# flags and JSON) and ignores the name it is called by, so it stands in under that name too
cp "$debs/x/usr/bin/etcdctl" "$img/usr/local/bin/etcdutl"
cp -L "$root/lib/x86_64-linux-gnu/libc.so.6" "$img/lib/x86_64-linux-gnu/"
cp -L "$root/lib64/ld-linux-x86-64.so.2" "$img/lib64/"
chmod 1777 "$img/tmp"
echo "root:x:0:0:root:/root:/bin/false" >"$img/etc/passwd"
etcd_version=$(dpkg-deb -f "$debs"/etcd-server_*.deb Version)
emu="$root/usr/share/slipway-emulation"
mkdir -p "$emu"
tar -C "$img" -cf "$emu/etcd-image.tar" .
# the version as the image's tag (a tag allows no "+"; the package version is kept beside it)
echo "$etcd_version" >"$emu/etcd-version"
echo "slipway-emulation/etcd:$(tr -c 'A-Za-z0-9_.\n-' _ <<<"$etcd_version")" >"$emu/etcd-image"

# --- the emulation layer -----------------------------------------------------------------------
install -m 0755 "$here/docker-wrapper.sh" "$root/usr/local/sbin/docker"
mv "$root/usr/bin/docker" "$root/usr/bin/docker.real"
ln -s /usr/local/sbin/docker "$root/usr/bin/docker"
install -m 0755 "$here/update-engine-client.sh" "$root/usr/bin/update_engine_client"
install -m 0755 "$here/mask-generator.sh" "$root/usr/lib/systemd/system-generators/slipway-emulation-masks"

# Flatcar's user: uid 500, in the sudo and docker groups, sudo without a password
chroot "$root" useradd --uid 500 --create-home --shell /bin/bash --groups sudo,docker core
echo "core ALL=(ALL) NOPASSWD: ALL" >"$root/etc/sudoers.d/core"
chmod 0440 "$root/etc/sudoers.d/core"

# Flatcar's sshd also reads the keys Ignition writes to ~/.ssh/authorized_keys.d/ignition
echo "AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys.d/ignition" >"$root/etc/ssh/sshd_config.d/10-flatcar-keys.conf"

# Flatcar's network stack: systemd-networkd (the addresses come per machine, test/helpers/vm.ts)
chroot "$root" systemctl enable systemd-networkd.service systemd-networkd-wait-online.service >/dev/null 2>&1
# background jobs Debian has and Flatcar has not: they only load a machine under emulation
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer dpkg-db-backup.timer >/dev/null 2>&1
echo "/dev/vda / ext4 defaults 0 1" >"$root/etc/fstab"
# the machine's own /etc/hostname comes from its Ignition config; none in the base
rm -f "$root/etc/hostname"
: >"$root/etc/machine-id"

# --- smaller: drivers no virtual machine here needs, documentation --------------------------
modules=$(echo "$root"/usr/lib/modules/*)
for d in drivers/gpu drivers/media drivers/net/wireless drivers/net/ethernet drivers/infiniband drivers/staging \
  drivers/bluetooth drivers/isdn drivers/iio drivers/usb drivers/hid drivers/input drivers/video drivers/scsi \
  drivers/mmc drivers/nfc drivers/hwmon drivers/platform sound net/wireless net/bluetooth net/mac80211; do
  rm -rf "${modules:?}/kernel/$d"
done
chroot "$root" depmod -a "$(basename "$modules")"
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/lib/apt/lists/*

cp -L "$root/vmlinuz" "$work/vmlinuz"
cp -L "$root/initrd.img" "$work/initrd.img"
kernel=$(basename "$modules")
printf '{"suite":"%s","kernel":"%s","etcd":"%s"}\n' "$suite" "$kernel" "$etcd_version" >"$work/base.json"
rm -rf "$debs" "$img"
rm -rf "$out"
mv "$work" "$out"
echo "base-image: $out ($(du -sh "$out/rootfs" | cut -f1), kernel $kernel, etcd stand-in $etcd_version)"
