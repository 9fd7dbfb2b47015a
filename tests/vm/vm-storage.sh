#!/usr/bin/env bash
# vm-storage: a real dm-crypt volume (LUKS2 on a virtio disk) locked and unlocked through the
# storage library's test driver (STORAGE_TOOL, tests/storage/storage-tool). The guest side
# (guest/storage.sh) does and checks everything; no display (--gpus 0).
# Environment (meson sets it): STORAGE_TOOL, VM_RESULTS (where results go).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${VM_RESULTS:-/tmp}
out=$results/vm-storage
mkdir -p "$results"
# vm-run.sh empties $out, so the disk lives next to it, for this run only.
disk=$(mktemp "$results/vm-storage-disk.XXXXXX")
disk2=$(mktemp "$results/vm-storage-disk2.XXXXXX")
trap 'rm -f "$disk" "$disk2"' EXIT
truncate -s 64M "$disk" "$disk2"

if ! "$here/vm-run.sh" --gpus 0 --memory 512 --disk "$disk" --disk "$disk2" "$out" "$here/guest/storage.sh" \
    VM_MODULES_EXTRA=dm-crypt STORAGE_TOOL="$STORAGE_TOOL"; then
    echo "--- guest.log"; cat "$out/guest.log" 2>/dev/null
    echo "--- storage-tool.log (tail)"; tail -n 40 "$out/storage-tool.log" 2>/dev/null
    exit 1
fi
cat "$out/guest.log"
