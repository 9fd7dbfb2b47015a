# shellcheck shell=bash source=../vm-lib.sh disable=SC2034
# Guest side of vm-smoke: the real compositor on the VM's virtio-gpu KMS device, through
# seatd and libinput. Checks that frames reach the screen (the host checks the pixels of the
# screenshot) and that a key typed on a uinput keyboard reaches the compositor.
source "$VM_LIB" # vm-lib.sh, from job.env
events=/shared/events.jsonl

start_rampart --event-log "$events"
wait_event "$events" ready
wait_event "$events" output_added
# On DRM the first committed buffer is wlroots' black modeset frame, before the panel was
# drawn (see design/vm-tests.md); a frame committed after "ready" shows the desktop.
wait_frame_after "$events" ready
vm_screenshot smoke-first-frame

# Ctrl+Alt+Delete is the secure attention key: the compositor logs it as an event and opens
# its overview. A key that arrives proves the whole path: uinput, udev, seatd, libinput.
exec {KEYS}> >(keyboard)
echo "key ctrl+alt+delete" >&"$KEYS"
wait_event "$events" secure_attention
wait_event "$events" overview
exec {KEYS}>&-
wait_frame_after "$events" overview
vm_screenshot smoke-overview

kill -TERM "$RAMPART_PID"
WATCH_PID=
wait "$RAMPART_PID" || fail "rampart exited with $? on SIGTERM"
note "rampart exited cleanly"
