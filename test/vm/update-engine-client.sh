#!/bin/bash
# Emulation (test/vm/emulation.ts): Flatcar's update_engine_client. An update counts as installed
# and waiting for its reboot when /var/lib/slipway-emulation/update-installed holds this boot's id
# (the test writes it); after the reboot the boot id differs and the update has been applied.
boot=$(cat /proc/sys/kernel/random/boot_id)
op=UPDATE_STATUS_IDLE
if [ "$(cat /var/lib/slipway-emulation/update-installed 2>/dev/null)" = "$boot" ]; then op=UPDATE_STATUS_UPDATED_NEED_REBOOT; fi
case "${1:-}" in
  -status) printf 'LAST_CHECKED_TIME=0\nPROGRESS=0.0\nCURRENT_OP=%s\nNEW_VERSION=0.0.0\nNEW_SIZE=0\n' "$op" ;;
  *) echo "update_engine_client (emulation): only -status" >&2; exit 1 ;;
esac
