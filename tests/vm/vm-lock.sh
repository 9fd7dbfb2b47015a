#!/usr/bin/env bash
# vm-lock: the lock screen on a real KMS device in a VM: started locked, a wrong password
# typed on a uinput keyboard is refused, the right one unlocks (guest/lock.sh drives it and
# checks the event log). Here we check the screenshots: locked, the lock background (#101216)
# fills the screen and no trusted panel (#18181b) shows in the top strip; unlocked, the panel
# is back. Environment (meson sets it): RAMPART_BINARY, AUTHD, VM_TYPE, VM_RESULTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${VM_RESULTS:-/tmp}/vm-lock
source "$here/pixels.sh"

if ! "$here/vm-run.sh" "$out" "$here/guest/lock.sh" VM_SEATD=1 \
    RAMPART_BINARY="$RAMPART_BINARY" AUTHD="$AUTHD" VM_TYPE="$VM_TYPE"; then
    echo "--- guest.log"; cat "$out/guest.log" 2>/dev/null
    echo "--- rampart.log (tail)"; tail -n 40 "$out/rampart.log" 2>/dev/null
    exit 1
fi
cat "$out/guest.log"

status=0
for shot in lock-locked lock-wrong lock-unlocked; do
    [[ -f $out/$shot.png ]] || { echo "FAIL: no screenshot $shot.png"; exit 1; }
done
size=$(image_size "$out/lock-locked.png")
width=${size%x*}
for shot in lock-locked lock-wrong; do
    # The lock background covers the screen but for the prompt in the middle.
    expect_share "$out/$shot.png" "${size}+0+0" '#101216' '>=' 0.8 "$shot: lock background" || status=1
    expect_share "$out/$shot.png" "${width}x28+0+0" '#18181b' '<=' 0.01 "$shot: no panel" || status=1
done
expect_share "$out/lock-unlocked.png" "${width}x28+0+0" '#18181b' '>=' 0.6 "unlocked: panel" || status=1
expect_share "$out/lock-unlocked.png" "${size}+0+0" '#101216' '<=' 0.01 "unlocked: no lock" || status=1
exit $status
