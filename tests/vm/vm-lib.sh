# shellcheck shell=bash
# Helpers for guest test scripts (sourced inside the VM: `source "$VM_LIB"`).
# The guest runs as root on the host's root filesystem (see vm-guest.sh); /shared is the
# results directory the host reads back.

set -euo pipefail

fail() {
    echo "FAIL: $*"
    exit 1
}

note() { echo "[$(cut -d' ' -f1 /proc/uptime)s] $*"; }

# Asks the host for a QMP screendump of every GPU; the host writes /shared/NAME.png.
vm_screenshot() {
    local name=$1
    touch "/shared/requests/$name"
    for _ in $(seq 600); do
        [[ -e /shared/requests/$name.done ]] && { note "screenshot $name taken"; return 0; }
        sleep 0.1
    done
    fail "the host did not take screenshot $name"
}

# How many lines of the JSON event log FILE have "event":"NAME".
count_events() {
    local n
    n=$(grep -c "\"event\":\"$2\"" "$1" 2>/dev/null) || true
    echo "${n:-0}"
}

# wait_event FILE NAME [COUNT [TIMEOUT_S]]: waits until the event log FILE has at least COUNT
# events NAME. Fails if the time runs out, or if WATCH_PID (the compositor) is gone.
wait_event() {
    local file=$1 name=$2 count=${3:-1} timeout=${4:-120}
    local deadline=$((SECONDS + timeout))
    while (($(count_events "$file" "$name") < count)); do
        if [[ -n ${WATCH_PID:-} ]] && ! kill -0 "$WATCH_PID" 2>/dev/null; then
            fail "the compositor exited while waiting for event $name"
        fi
        ((SECONDS < deadline)) || fail "no event $name (x$count) within ${timeout}s"
        sleep 0.1
    done
    note "event $name (x$count)"
}

# wait_frame_after FILE NAME [TIMEOUT_S]: waits until the compositor committed a frame to the
# KMS device (event output_commit) after the last event NAME, so that a screenshot shows what
# NAME changed. Not fatal: if the screen did not change, the screenshot shows it as it is.
wait_frame_after() {
    local file=$1 name=$2 deadline=$((SECONDS + ${3:-60}))
    until awk -v name="\"event\":\"$2\"" '
            index($0, name) { pending = 1 }
            pending && /"event":"output_commit"/ { pending = 0; seen = 1 }
            END { exit !(seen && !pending) }' "$file"; do
        ((SECONDS < deadline)) || { note "no frame after $name"; return 0; }
        sleep 0.1
    done
    note "a frame after $name"
}

# start_rampart ARGS...: runs the build tree's compositor on the VM's KMS device, through
# seatd, with the pixman renderer (GLES2 stalls under emulation) and a hermetic config: the
# system config is $RAMPART_CONFIG (TOML text, empty by default), no user config.
# RAMPART_ENV: extra NAME=VALUE words for rampart's environment only.
# Sets RAMPART_PID and WATCH_PID; its log goes to /shared/rampart.log.
start_rampart() {
    local config=/run/rampart-test
    mkdir -p "$config"
    printf '%s\n' "${RAMPART_CONFIG:-}" >"$config/rampart.toml"
    # shellcheck disable=SC2086 # RAMPART_ENV is a list of words
    env ${RAMPART_ENV:-} WLR_RENDERER=pixman LIBSEAT_BACKEND=seatd WLR_LIBINPUT_NO_DEVICES=1 \
        "$RAMPART_BINARY" --config "$config/rampart.toml" --user-config "$config/none.toml" \
        -vv "$@" >/shared/rampart.log 2>&1 &
    RAMPART_PID=$!
    WATCH_PID=$RAMPART_PID
    note "rampart started, pid $RAMPART_PID"
}

# pam_matrix_service PASSWORD: PAM for the broker through pam_wrapper: the service `rampart`
# in $PAM_DIR/services (pam_matrix for auth and account) accepting PASSWORD for root, from
# the password file $PAM_DIR/passdb (rewrite it to change what is accepted). Pass
# the pam_wrapper variables to rampart (and so to its broker) alone:
# `RAMPART_ENV=$PAM_WRAPPER_ENV start_rampart ...`.
PAM_DIR=/run/pam-test
PAM_WRAPPER_ENV="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$PAM_DIR/services"
pam_matrix_service() {
    local matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
    mkdir -p "$PAM_DIR/services"
    echo "root:$1:rampart" >"$PAM_DIR/passdb"
    printf 'auth required %s passdb=%s\naccount required %s passdb=%s\n' \
        "$matrix" "$PAM_DIR/passdb" "$matrix" "$PAM_DIR/passdb" >"$PAM_DIR/services/rampart"
}

# The keyboard: `exec {KEYS}> >(keyboard)` gives an fd to write vm-type commands to; the
# device lives until that fd is closed (`exec {KEYS}>&-`).
keyboard() {
    "$VM_TYPE" --pid "$RAMPART_PID"
}

# make_volume DISK NAME MOUNTPOINT PASSPHRASE: a LUKS2 volume (pbkdf2, few iterations: fast
# under emulation) opened as NAME, ext4, mounted, with 4 MiB of random data in MOUNTPOINT/data.
make_volume() {
    note "format $1"
    printf %s "$4" | cryptsetup luksFormat --type luks2 --pbkdf pbkdf2 \
        --pbkdf-force-iterations 1000 --batch-mode --key-file - "$1"
    printf %s "$4" | cryptsetup open --key-file - "$1" "$2"
    mkfs.ext4 -q "/dev/mapper/$2"
    mkdir -p "$3"
    mount "/dev/mapper/$2" "$3"
    head -c 4M /dev/urandom >"$3/data"
}
