# shellcheck shell=bash source=../vm-lib.sh disable=SC2034
# Guest side of vm-lock-storage: the whole stack of encrypted storage at the lock screen.
# Rampart on a real KMS device, its real rampart-authd (root, so device-mapper works) with a
# [storage] on_lock = "suspend" system config naming a real dm-crypt (LUKS2) volume, mounted;
# keys typed on a uinput keyboard through libinput.
#  1. password: `rampartctl lock` suspends the volume (all-zero key in the dm table, a reader
#     of a file on it blocks); a wrong password is refused (still suspended, reader blocked);
#     a password PAM accepts but the volume does not keeps the screen locked and the volume
#     suspended; the right password unlocks the screen and resumes the volume (the reader gets
#     the right data).
#  2. smartcard: a SoftHSM2 token (RSA key + certificate) enrolled with systemd-cryptenroll;
#     the next lock suspends again and the lock screen asks for the card's PIN; a wrong PIN is
#     refused, the right one unlocks the screen and resumes the volume.
# PAM: pam_wrapper + pam_matrix as in guest/lock.sh (user root, the volume's passphrase is the
# login password). Screenshots storage-*.png; the host checks their pixels.
source "$VM_LIB" # vm-lib.sh, from job.env
events=/shared/events.jsonl
password='Correct-Horse-7'
wrong='wrong-horse-7'
# PAM accepts it (for one try, see below), the volume does not.
not_volume='Login-Only-9'
pin='Card-Pin-4711'
wrong_pin='Card-Pin-0000'
label=rampart-vm
disk=/dev/vda
name=home
mnt=/mnt/home
socket=rampart-vm
secrets=("$password" "$wrong" "$not_volume" "$pin" "$wrong_pin")

[[ -b $disk ]] || fail "no disk $disk"
for tool in "$AUTHD" "$RAMPARTCTL"; do [[ -x $tool ]] || fail "not built: $tool"; done
for command in cryptsetup dmsetup mkfs.ext4 systemd-cryptenroll softhsm2-util pkcs11-tool openssl python3; do
    command -v "$command" >/dev/null || fail "$command is not installed (scripts/install-deps.sh)"
done

# state: what dmsetup says (ACTIVE or SUSPENDED); key: the key field of the crypt table.
state() { dmsetup info "$name" | awk '/^State:/ { print $2 }'; }
key() { dmsetup table --showkeys "$name" | awk '$3 == "crypt" { print $5 }'; }
blocked() { kill -0 "$1" 2>/dev/null; }
suspended() {
    [[ $(state) == SUSPENDED ]] || fail "$1: the volume is $(state), not SUSPENDED"
    [[ $(key) =~ ^0+$ ]] || fail "$1: the dm table key is not all zero"
}
active() {
    [[ $(state) == ACTIVE ]] || fail "$1: the volume is $(state), not ACTIVE"
    [[ ! $(key) =~ ^0+$ ]] || fail "$1: the dm table key is still all zero"
}
ctl() { "$RAMPARTCTL" --socket "$XDG_RUNTIME_DIR/rampart/$socket.control" "$@"; }
# The text of the last event NAME (events are one JSON object a line).
last_text() {
    grep "\"event\":\"$1\"" "$events" | tail -n 1 |
        python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["text"])'
}
# A file read on the suspended volume must wait: nothing of it may be in the page cache.
drop_caches() { sync && echo 3 >/proc/sys/vm/drop_caches; }
# Starts a reader of the data file (READER, into $1) and checks it is still waiting 3 s later.
start_reader() {
    cat "$mnt/data" >"$1" &
    READER=$!
    sleep 3
    blocked "$READER" || fail "the reader finished while the volume was suspended"
    note "reader $READER blocked (state $(awk '{ print $3 }' "/proc/$READER/stat"))"
}
reader_done() {
    for _ in $(seq 600); do blocked "$READER" || break; sleep 0.1; done
    blocked "$READER" && fail "the reader did not finish within 60 s of the unlock"
    wait "$READER" || fail "the reader failed"
    [[ $(sha256sum <"$1" | cut -d' ' -f1) == "$want" ]] || fail "the reader got the wrong data"
    note "reader finished with the right data"
}
# Whatever happens, the final sync of vm-guest.sh must not hang on a suspended volume.
cleanup() {
    [[ $(state 2>/dev/null) == SUSPENDED ]] || return 0
    echo "cleanup: $name is still suspended: resuming it"
    printf %s "$password" | timeout 60 cryptsetup luksResume --key-file - "$name" && return 0
    echo "cleanup: luksResume failed: replacing the table with an error target"
    dmsetup wipe_table "$name" || echo "cleanup: dmsetup wipe_table failed too"
}
trap cleanup EXIT

# --- the volume ----------------------------------------------------------------------------
make_volume "$disk" "$name" "$mnt" "$password"
want=$(sha256sum <"$mnt/data" | cut -d' ' -f1)
active "open"

# --- PAM (pam_wrapper + pam_matrix) and the SoftHSM2 token --------------------------------
pam_matrix_service "$password"

# The token exists from the start but is enrolled only for part 2: an unenrolled card
# present must not change the password path. rampart-authd finds it through p11-kit's module
# list (softhsm2 is in it) and SOFTHSM2_CONF, which reaches it through rampart's environment.
note "SoftHSM2 token $label"
hsm=/run/softhsm
mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$hsm/tokens" >"$hsm/softhsm2.conf"
export SOFTHSM2_CONF=$hsm/softhsm2.conf
{
    softhsm2-util --init-token --free --label "$label" --so-pin "so-$pin" --pin "$pin"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$hsm/key.pem" -subj "/CN=$label" \
        -days 3650 -outform DER -out "$hsm/cert.der"
    softhsm2-util --import "$hsm/key.pem" --token "$label" --label key --id 01 --pin "$pin"
    # systemd-cryptenroll encrypts to the certificate's public key, so the token needs one.
    pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label "$label" --login \
        --pin "$pin" --write-object "$hsm/cert.der" --type cert --id 01 --label key
} >/run/token-setup.log 2>&1 || { cat /run/token-setup.log; fail "could not make the token"; }
rm -f "$hsm/key.pem"

# --- rampart -----------------------------------------------------------------------------
# No logind or D-Bus in the VM; no idle lock during the test. rampart hands this file to
# the broker it spawns (--config), which alone reads [storage] and touches the volume.
RAMPART_CONFIG="[lock]
idle_timeout = 0
logind = false
lock_before_sleep = false

[storage]
on_lock = \"suspend\"
user = \"root\"

[[volume]]
name = \"$name\"
device = \"$disk\""
RAMPART_ENV=$PAM_WRAPPER_ENV start_rampart --socket "$socket" --authd "$AUTHD" --event-log "$events"
wait_event "$events" ready
wait_frame_after "$events" ready
exec {KEYS}> >(keyboard)

# lock_and_check NTH: `rampartctl lock`, then the lock shown, the volume suspended, a prompt.
lock_and_check() {
    drop_caches
    ctl lock || fail "rampartctl lock failed"
    wait_event "$events" locked_shown "$1"
    wait_event "$events" storage_locked "$1"
    grep '"event":"storage_locked"' "$events" | tail -n 1 | grep -q '"ok":true' ||
        fail "storage_locked is not ok: $(grep '"event":"storage_locked"' "$events" | tail -n 1)"
    (($(count_events "$events" unlocked) == $1 - 1)) || fail "unlocked while locking"
    suspended "after lock $1"
    note "dm table key after lock $1: all zero ($(key | wc -c) chars)"
}
# answer PROMPTS_BEFORE TEXT: waits for the prompt after PROMPTS_BEFORE ones, types TEXT.
answer() {
    wait_event "$events" lock_prompt $(($1 + 1))
    echo "type $2" >&"$KEYS"
    echo "key enter" >&"$KEYS"
}

# --- 1: the password ---------------------------------------------------------------------
note "part 1: password"
lock_and_check 1
start_reader /run/read1.out
wait_event "$events" lock_prompt 1
prompt=$(last_text lock_prompt)
note "prompt: $prompt"
[[ $prompt != *PIN* ]] || fail "a PIN is asked for, but no card is enrolled: $prompt"
wait_frame_after "$events" lock_prompt
vm_screenshot storage-locked

# pam_matrix reads its passdb when a check starts, before it asks: the next check (after
# this wrong password) will accept $not_volume; it is set back once that check asked.
echo "root:$not_volume:rampart" >"$PAM_DIR/passdb"
answer 0 "$wrong"
wait_event "$events" auth_failed 1
(($(count_events "$events" unlocked) == 0)) || fail "unlocked by a wrong password"
suspended "after a wrong password"
blocked "$READER" || fail "the reader finished after a wrong password"
wait_frame_after "$events" auth_failed
vm_screenshot storage-wrong

# PAM accepts this one, the volume's keyslots do not: the screen stays locked, and the
# broker says which volume failed (journal, here rampart's stderr).
wait_event "$events" lock_prompt 2
echo "root:$password:rampart" >"$PAM_DIR/passdb"
answer 1 "$not_volume"
wait_event "$events" auth_failed 2
(($(count_events "$events" unlocked) == 0)) || fail "unlocked although the volume refused"
suspended "after a password the volume refuses"
blocked "$READER" || fail "the reader finished after a password the volume refuses"
grep -F "Volume $name could not be unlocked: the password does not open it." /shared/rampart.log ||
    fail "no journal line for the volume that refused the password"
wait_frame_after "$events" auth_failed
vm_screenshot storage-refused

answer 2 "$password"
wait_event "$events" unlocked 1
active "after the right password"
reader_done /run/read1.out
wait_frame_after "$events" unlocked
vm_screenshot storage-unlocked

# --- 2: the smartcard --------------------------------------------------------------------
note "part 2: enrol the token"
PASSWORD=$password PIN=$pin systemd-cryptenroll --pkcs11-token-uri="pkcs11:token=$label" \
    "$disk" >/run/enroll.log 2>&1 || { cat /run/enroll.log; fail "systemd-cryptenroll failed"; }
cryptsetup luksDump "$disk" | grep -q systemd-pkcs11 || fail "no systemd-pkcs11 token after enrolment"
note "enrolled"
# rampartctl storage status asks a broker of its own; it lists the enrolled card.
"$RAMPARTCTL" storage status --config /run/rampart-test/rampart.toml --authd "$AUTHD" \
    >/shared/storage-status.txt 2>&1 || fail "rampartctl storage status: $(cat /shared/storage-status.txt)"
cat /shared/storage-status.txt
grep -q "^ *token: systemd-pkcs11 (keyslot [0-9]*): pkcs11:token=$label" /shared/storage-status.txt ||
    fail "rampartctl storage status does not list the enrolled token"

prompts=$(count_events "$events" lock_prompt)
lock_and_check 2
start_reader /run/read2.out
wait_event "$events" lock_prompt $((prompts + 1))
prompt=$(last_text lock_prompt)
note "prompt: $prompt"
[[ $prompt == "PIN for the card \"$label\": " ]] || fail "not the card's PIN prompt: $prompt"
wait_frame_after "$events" lock_prompt
vm_screenshot storage-pin

failures=$(count_events "$events" auth_failed)
answer "$prompts" "$wrong_pin"
wait_event "$events" auth_failed $((failures + 1))
(($(count_events "$events" unlocked) == 1)) || fail "unlocked by a wrong PIN"
suspended "after a wrong PIN"
blocked "$READER" || fail "the reader finished after a wrong PIN"
wait_event "$events" lock_prompt $((prompts + 2))
[[ $(last_text lock_prompt) == *PIN* ]] || fail "no PIN prompt after a wrong PIN: $(last_text lock_prompt)"
wait_frame_after "$events" auth_failed
vm_screenshot storage-pin-wrong

answer $((prompts + 1)) "$pin"
wait_event "$events" unlocked 2
active "after the PIN"
reader_done /run/read2.out
wait_frame_after "$events" unlocked
vm_screenshot storage-pin-unlocked
exec {KEYS}>&-

# --- the end -----------------------------------------------------------------------------
# The journal lines of the storage steps (stderr here: no journald in the VM).
grep -E "suspend|resum" /shared/rampart.log | grep -v '"event"' | head -n 20 || true
for secret in "${secrets[@]}"; do
    if grep -rlF --exclude=job.env -- "$secret" /shared; then
        fail "a typed secret is in the files above"
    fi
done
kill -TERM "$RAMPART_PID"
WATCH_PID=
wait "$RAMPART_PID" || fail "rampart exited with $? on SIGTERM"
umount "$mnt"
cryptsetup close "$name"
note "PASS"
