# shellcheck shell=bash source=../vm-lib.sh disable=SC2034
# Guest side of vm-lock: the lock screen on a real KMS device, unlocked by typing on a real
# (uinput) keyboard through libinput, checked by the real rampart-authd running a real PAM
# stack: pam_wrapper points libpam at a test service "rampart" whose password database is
# pam_matrix's (user root, as the compositor runs as root here). The compositor passes its
# environment to the broker it spawns, so pam_wrapper's variables reach the broker.
# Screenshots: lock-locked, lock-wrong (after a wrong password), lock-unlocked; the host
# checks their pixels.
source "$VM_LIB" # vm-lib.sh, from job.env
events=/shared/events.jsonl
password='Correct-Horse-7'
wrong='wrong-horse-7'

pam_matrix_service "$password"
[[ -x $AUTHD ]] || fail "no rampart-authd at $AUTHD"

# No logind or D-Bus in the VM; no idle lock during the test.
RAMPART_CONFIG='[lock]
idle_timeout = 0
logind = false
lock_before_sleep = false'
RAMPART_ENV=$PAM_WRAPPER_ENV start_rampart --start-locked --authd "$AUTHD" --event-log "$events"
wait_event "$events" ready
# Emitted once the lock frame was committed on every output.
wait_event "$events" locked_shown
# On DRM the outputs appear only once the backend started, after the start-up lock: a
# locked_shown from before the first output_added waited for no output at all. Then only a
# frame committed after "ready" (which follows output_added) is known to show the lock.
if awk '/"event":"output_added"/ { exit 1 } /"event":"locked_shown"/ { exit 0 }' "$events"; then
    note "NOTE: locked_shown came before any output existed (no frame was waited for)"
fi
wait_frame_after "$events" ready
vm_screenshot lock-locked

exec {KEYS}> >(keyboard)
echo "type $wrong" >&"$KEYS"
echo "key enter" >&"$KEYS"
wait_event "$events" auth_failed
(($(count_events "$events" unlocked) == 0)) || fail "unlocked by a wrong password"
wait_frame_after "$events" auth_failed
vm_screenshot lock-wrong

echo "type $password" >&"$KEYS"
echo "key enter" >&"$KEYS"
wait_event "$events" unlocked
exec {KEYS}>&-
wait_frame_after "$events" unlocked
vm_screenshot lock-unlocked

# The passwords typed must appear in no log, event or console output.
for secret in "$password" "$wrong"; do
    if grep -rlF -- "$secret" /shared; then
        fail "a typed password is in the files above"
    fi
done

kill -TERM "$RAMPART_PID"
WATCH_PID=
wait "$RAMPART_PID" || fail "rampart exited with $? on SIGTERM"
note "rampart exited cleanly"
