#!/bin/sh
# Emulation (test/vm/emulation.ts): a systemd generator masking the units a machine of the VM tier
# cannot run offline (their images or binaries cannot be fetched), listed one per line in
# /etc/slipway-emulation/masked-units. Masks in the generator's early directory win over the units
# Ignition wrote to /etc/systemd/system, which stay exactly as rendered.
list=/etc/slipway-emulation/masked-units
[ -f "$list" ] || exit 0
early=${2:?early generator directory}
while read -r unit _; do
  case "$unit" in ''|'#'*) continue ;; esac
  ln -sf /dev/null "$early/$unit"
done <"$list"
