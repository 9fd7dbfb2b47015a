#!/usr/bin/env bash
# vm-smoke: the real rampart on a real KMS device (virtio-gpu) in a VM, with udevd, seatd and
# libinput. The guest side (guest/smoke.sh) starts it, waits for frames, types the secure
# attention key on a uinput keyboard and checks the event log; here we check the screenshots:
# Rampart's trusted panel (#18181b, the top 28 px of the output) is on the scanout, and the
# key opened the overview.
# Environment (meson sets it): RAMPART_BINARY, VM_TYPE, VM_RESULTS (where results go).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${VM_RESULTS:-/tmp}/vm-smoke
source "$here/pixels.sh"

if ! "$here/vm-run.sh" "$out" "$here/guest/smoke.sh" VM_SEATD=1 \
    RAMPART_BINARY="$RAMPART_BINARY" VM_TYPE="$VM_TYPE"; then
    echo "--- guest.log"; cat "$out/guest.log" 2>/dev/null
    echo "--- rampart.log (tail)"; tail -n 40 "$out/rampart.log" 2>/dev/null
    exit 1
fi
cat "$out/guest.log"

png=$out/smoke-first-frame.png
[[ -f $png ]] || { echo "FAIL: no screenshot $png"; exit 1; }
width=$(image_size "$png" | cut -dx -f1)
status=0
# The panel strip: mostly panel colour (its text and indicators take the rest).
expect_share "$png" "${width}x28+0+0" '#18181b' '>=' 0.6 "panel strip" || status=1
# Below it the desktop background, not the panel.
expect_share "$png" "${width}x200+0+40" '#18181b' '<=' 0.05 "below the panel" || status=1
# The secure attention key typed on the uinput keyboard opened the overview: its bar
# (#0e0e10) runs along the bottom of the output.
overview=$out/smoke-overview.png
height=$(image_size "$overview" | cut -dx -f2)
expect_share "$overview" "${width}x30+0+$((height - 30))" '#0e0e10' '>=' 0.6 "overview bar" || status=1
expect_share "$png" "${width}x30+0+$((height - 30))" '#0e0e10' '<=' 0.01 "no overview before the key" || status=1
exit $status
