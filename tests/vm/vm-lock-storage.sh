#!/usr/bin/env bash
# vm-lock-storage: the lock screen and the user's encrypted volume together, in a VM with a
# real KMS device and a real dm-crypt volume (LUKS2 on a virtio disk). rampart-authd suspends
# the volume when `rampartctl lock` locks the screen and resumes it with the password, then
# with a SoftHSM2 token's PIN (enrolled by systemd-cryptenroll). guest/lock-storage.sh drives
# it and checks the event log, dmsetup and a reader of a file on the volume. Here we check the
# screenshots: while locked the lock background (#101216) fills the screen and no trusted
# panel (#18181b) shows in the top strip; unlocked, the panel is back and the lock gone.
# Environment (meson sets it): RAMPART_BINARY, AUTHD, VM_TYPE, RAMPARTCTL, VM_RESULTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${VM_RESULTS:-/tmp}
out=$results/vm-lock-storage
source "$here/pixels.sh"
mkdir -p "$results"
# vm-run.sh empties $out, so the disk lives next to it, for this run only.
disk=$(mktemp "$results/vm-lock-storage-disk.XXXXXX")
trap 'rm -f "$disk"' EXIT
truncate -s 64M "$disk"

if ! "$here/vm-run.sh" --disk "$disk" "$out" "$here/guest/lock-storage.sh" VM_SEATD=1 \
    VM_MODULES_EXTRA=dm-crypt RAMPART_BINARY="$RAMPART_BINARY" AUTHD="$AUTHD" \
    VM_TYPE="$VM_TYPE" RAMPARTCTL="$RAMPARTCTL"; then
    echo "--- guest.log"; cat "$out/guest.log" 2>/dev/null
    echo "--- rampart.log (tail)"; tail -n 40 "$out/rampart.log" 2>/dev/null
    exit 1
fi
cat "$out/guest.log"

locked=(storage-locked storage-wrong storage-refused storage-pin storage-pin-wrong)
unlocked=(storage-unlocked storage-pin-unlocked)
for shot in "${locked[@]}" "${unlocked[@]}"; do
    [[ -f $out/$shot.png ]] || { echo "FAIL: no screenshot $shot.png"; exit 1; }
done
status=0
size=$(image_size "$out/storage-locked.png")
width=${size%x*}
for shot in "${locked[@]}"; do
    # The lock background covers the screen but for the prompt in the middle.
    expect_share "$out/$shot.png" "${size}+0+0" '#101216' '>=' 0.8 "$shot: lock background" || status=1
    expect_share "$out/$shot.png" "${width}x28+0+0" '#18181b' '<=' 0.01 "$shot: no panel" || status=1
done
for shot in "${unlocked[@]}"; do
    expect_share "$out/$shot.png" "${width}x28+0+0" '#18181b' '>=' 0.6 "$shot: panel" || status=1
    expect_share "$out/$shot.png" "${size}+0+0" '#101216' '<=' 0.01 "$shot: no lock" || status=1
done
exit $status
