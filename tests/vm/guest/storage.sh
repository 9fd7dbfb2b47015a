# shellcheck shell=bash source=../vm-lib.sh disable=SC2034
# Guest side of vm-storage: a real dm-crypt volume, suspended and resumed through the storage
# library (tests/storage/storage-tool drives the same calls rampart-authd makes).
#  - format LUKS2 on /dev/vda (pbkdf2, forced iterations), open it, ext4, mount, write a file;
#  - lock (policy suspend): the dm table shows an all-zero key, a reader of the file blocks;
#  - unlock with a wrong password: still suspended, the reader still blocked;
#  - unlock with the right one: resumed, the reader finishes with the right data;
#  - a closed volume is activated by unlock (the first unlock of a session started locked);
#  - the token path (one volume, keyslot checked even when active) refuses a wrong key;
#  - two volumes (/dev/vda, /dev/vdb): when the second refuses, the first is suspended again.
source "$VM_LIB" # vm-lib.sh, from job.env
disk=/dev/vda
name=vault
mnt=/mnt/vault
password='Vault-Key-42 with spaces'
wrong='not-the-key'
config=/run/storage.toml
tool() { "$STORAGE_TOOL" -v "$@" 2>>/shared/storage-tool.log; }

[[ -b $disk ]] || fail "no disk $disk"
[[ -x $STORAGE_TOOL ]] || fail "no storage-tool at $STORAGE_TOOL"
command -v cryptsetup >/dev/null || fail "cryptsetup is not installed (cryptsetup-bin)"
cat >"$config" <<TOML
[storage]
on_lock = "suspend"
user = "root"
[[volume]]
name = "$name"
device = "$disk"
TOML

# state: what dmsetup says (ACTIVE or SUSPENDED); key: the key field of the crypt table.
state() { dmsetup info "$name" | awk '/^State:/ { print $2 }'; }
key() { dmsetup table --showkeys "$name" | awk '$3 == "crypt" { print $5 }'; }
blocked() { kill -0 "$1" 2>/dev/null; }

make_volume "$disk" "$name" "$mnt" "$password"
want=$(sha256sum <"$mnt/data" | cut -d' ' -f1)
# Clean and not cached: the reader after the lock must go to the device.
sync
echo 3 >/proc/sys/vm/drop_caches
echo "written after the sync: the lock must sync it" >"$mnt/late"
# The key's form only (never its bytes): a kernel keyring reference (":64:logon:...") or hex.
[[ $(key) == :* ]] && form="keyring reference" || form="hex key"
[[ ! $(key) =~ ^0+$ ]] || fail "the key is zero while open"
note "dm table key while open: $form"
tool status "$config" | tee /shared/status-open.txt
grep -q "^$name $disk active on_lock=suspend" /shared/status-open.txt || fail "status: not active"

note "lock"
out=$(tool lock "$config") || fail "lock failed: $out"
echo "$out"
grep -q "synced 1 file system" <<<"$out" || fail "lock did not sync the mounted file system"
[[ $(state) == SUSPENDED ]] || fail "not suspended after lock: $(state)"
[[ $(key) =~ ^0+$ ]] || fail "the key was not wiped: $(key | cut -c1-8)..."
note "dm table key after lock: $(key | cut -c1-16)... ($(key | wc -c) chars, all zero)"
tool status "$config" | grep -q "^$name $disk suspended" || fail "status: not suspended"
# Locking again is harmless.
tool lock "$config" >/dev/null || fail "a second lock failed"

cat "$mnt/data" >/run/read.out &
reader=$!
sleep 3
blocked "$reader" || fail "the reader finished while the volume was suspended"
note "reader $reader blocked (state $(awk '{ print $3 }' "/proc/$reader/stat"))"

note "wrong password"
if out=$(printf %s "$wrong" | tool unlock "$config"); then
    fail "a wrong password unlocked: $out"
fi
echo "$out"
grep -q "Volume $name could not be unlocked: the password does not open it." <<<"$out" ||
    fail "wrong password: unexpected message"
[[ $(state) == SUSPENDED ]] || fail "not suspended after a wrong password"
[[ $(key) =~ ^0+$ ]] || fail "key present after a wrong password"
sleep 1
blocked "$reader" || fail "the reader finished after a wrong password"

note "right password"
out=$(printf '%s\n' "$password" | tool unlock "$config") || fail "unlock failed: $out"
echo "$out"
[[ $(state) == ACTIVE ]] || fail "not active after unlock"
[[ ! $(key) =~ ^0+$ ]] || fail "the key is still zero after unlock"
for _ in $(seq 600); do blocked "$reader" || break; sleep 0.1; done
blocked "$reader" && fail "the reader did not finish within 60 s of the unlock"
wait "$reader" || fail "the reader failed"
got=$(sha256sum </run/read.out | cut -d' ' -f1)
[[ $got == "$want" ]] || fail "the reader got the wrong data"
note "reader finished with the right data"
grep -q "must sync" "$mnt/late" || fail "the late file is lost"

note "token path on an active volume"
if printf %s "$wrong" | tool unlock-one "$name" "$config" >/dev/null; then
    fail "unlock-one accepted a wrong key for an active volume"
fi
printf %s "$password" | tool unlock-one "$name" "$config" >/dev/null || fail "unlock-one refused"
[[ $(state) == ACTIVE ]] || fail "unlock-one changed the state"

note "first unlock activates a closed volume"
umount "$mnt"
cryptsetup close "$name"
tool status "$config" | grep -q "^$name $disk inactive" || fail "status: not inactive"
if printf %s "$wrong" | tool unlock "$config" >/dev/null; then fail "activated by a wrong password"; fi
[[ ! -e /dev/mapper/$name ]] || fail "a mapping exists after a wrong password"
printf %s "$password" | tool unlock "$config" || fail "activation failed"
mount "/dev/mapper/$name" "$mnt"
[[ $(sha256sum <"$mnt/data" | cut -d' ' -f1) == "$want" ]] || fail "wrong data after activation"
umount "$mnt"
cryptsetup close "$name"

note "two volumes: the second fails, the first is suspended again"
other=/dev/vdb
other_password='Other-Key-7'
[[ -b $other ]] || fail "no disk $other"
printf %s "$other_password" | cryptsetup luksFormat --type luks2 --pbkdf pbkdf2 \
    --pbkdf-force-iterations 1000 --batch-mode --key-file - "$other"
both=/run/storage-both.toml
cat "$config" - >"$both" <<TOML
[[volume]]
name = "other"
device = "$other"
TOML
# vault is closed: it is activated, other refuses, so vault is suspended again (the screen
# stays locked, its key must not stay in the kernel).
if out=$(printf %s "$password" | tool unlock "$both"); then fail "unlocked with other refusing"; fi
echo "$out"
grep -q "Volume other could not be unlocked: the password does not open it." <<<"$out" ||
    fail "two volumes: unexpected message"
grep -q "rollback: vault: suspended" <<<"$out" || fail "two volumes: no rollback"
[[ $(state) == SUSPENDED && $(key) =~ ^0+$ ]] || fail "vault is not suspended after the rollback"
[[ ! -e /dev/mapper/other ]] || fail "other was mapped by a wrong password"
# The same password in both: everything opens; lock suspends both; unlock resumes both.
printf %s "$other_password" >/run/old.key
printf %s "$password" >/run/new.key
cryptsetup luksAddKey --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file /run/old.key \
    "$other" /run/new.key
rm -f /run/old.key /run/new.key
printf %s "$password" | tool unlock "$both" || fail "unlock of both failed"
[[ $(state) == ACTIVE && $(dmsetup info other | awk '/^State:/ { print $2 }') == ACTIVE ]] ||
    fail "not both active"
tool lock "$both" || fail "lock of both failed"
tool status "$both" | tee /shared/status-both.txt
(($(grep -c " suspended on_lock=suspend" /shared/status-both.txt) == 2)) || fail "not both suspended"
printf %s "$password" | tool unlock "$both" || fail "second unlock of both failed"
cryptsetup close "$name"
cryptsetup close other

# The passwords appear in no output.
for secret in "$password" "$wrong" "$other_password"; do
    if grep -rqF --exclude=job.env -- "$secret" /shared; then fail "a password leaked into /shared"; fi
done
note "PASS"
