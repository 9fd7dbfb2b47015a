#!/usr/bin/env bash
# Boots a test VM and runs one guest test script in it; exits with that script's exit status.
#
#   vm-run.sh [options] RESULT_DIR GUEST_SCRIPT [NAME=VALUE]...
#     --disk IMAGE   attach a raw disk image as the next virtio disk (/dev/vda, /dev/vdb, ...)
#     --gpus N       virtio-gpu-pci devices (one output each; default 1, none with 0)
#     --memory MB    guest memory (default 1024)
#     --timeout S    give up after S seconds (default 500)
#   NAME=VALUE pairs reach the guest script as environment variables. Special ones:
#     VM_SEATD=1            start seatd before the test (display tests)
#     VM_MODULES_EXTRA=...  more modules to load first (e.g. "dm-crypt" for storage tests)
#
# RESULT_DIR is emptied and shared read-write with the guest as /shared: it holds the guest's
# log (guest.log), the serial console (console.log), what the test writes there, and the
# screenshots. Screenshots: the guest asks for one by creating /shared/requests/NAME (see
# vm_screenshot in vm-lib.sh); this script answers with a QMP screendump of each GPU's scanout
# into RESULT_DIR/NAME.png (NAME-gpuK.png for the K-th GPU after the first), then creates
# /shared/requests/NAME.done.
#
# QEMU uses KVM where it works and software emulation (TCG) elsewhere; VM_ACCEL=kvm or tcg
# forces one. /dev/kvm on the development machines does not run a normal kernel.
# If QEMU cannot run, this fails loudly: a test that needs the VM must never pass without one.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "vm-run: $*" >&2; exit 1; }

disks=() gpus=1 memory=1024 timeout=500
while [[ $# -gt 0 && $1 == --* ]]; do
    case $1 in
    --disk) disks+=("$(realpath "$2")"); shift 2 ;;
    --gpus) gpus=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) die "unknown option $1" ;;
    esac
done
[[ $# -ge 2 ]] || die "usage: vm-run.sh [options] RESULT_DIR GUEST_SCRIPT [NAME=VALUE]..."
dir=$1 script=$(realpath "$2")
shift 2
[[ -f $script ]] || die "no guest script $script"

# --- can QEMU run at all? -----------------------------------------------------------------
qemu=$(command -v qemu-system-x86_64) ||
    die "FAIL: QEMU cannot run: qemu-system-x86_64 is not installed (scripts/install-deps.sh)"
qboot=/usr/share/qemu/qboot.rom
[[ -f $qboot ]] || die "FAIL: QEMU cannot run: $qboot is missing (package qemu-system-data)"
command -v convert >/dev/null || die "FAIL: convert (imagemagick) is missing"
source "$("$here/vm-image.sh")" || die "FAIL: could not prepare the VM kernel and initramfs"

# --- the results share and the job description --------------------------------------------
mkdir -p "$dir"
dir=$(realpath "$dir")
find "$dir" -mindepth 1 -delete
mkdir "$dir/requests"
{
    printf '%s=%q\n' VM_STAGE2 "$here/vm-guest.sh" VM_TEST_SCRIPT "$script" \
        VM_LIB "$here/vm-lib.sh" VM_KVER "$VM_KVER" VM_MODULES "$VM_MODULES"
    for pair in "$@"; do
        [[ $pair == *=* ]] || die "not NAME=VALUE: $pair"
        printf '%s=%q\n' "${pair%%=*}" "${pair#*=}"
    done
} >"$dir/job.env"

# --- QEMU ---------------------------------------------------------------------------------
# KVM if it runs our kernel here, else software emulation. /dev/kvm may exist and still not
# run a normal kernel (a paravirtual hypervisor that wants a special guest): boot a trivial
# guest with KVM once per host kernel and remember the answer in the cache.
accel=${VM_ACCEL:-}
if [[ -z $accel ]]; then
    probe=$(dirname "$VM_INITRD")/accel-$(uname -r)
    if [[ ! -f $probe ]]; then
        echo tcg >"$probe"
        if [[ -r /dev/kvm && -w /dev/kvm ]] &&
            VM_ACCEL=kvm "$0" --timeout 60 --gpus 0 "$dir.kvm-probe" "$here/guest/probe.sh" >/dev/null 2>&1; then
            echo kvm >"$probe"
        fi
        rm -rf "$dir.kvm-probe"
        echo "vm-run: accelerator for this host: $(cat "$probe") (cached in $probe)" >&2
    fi
    accel=$(cat "$probe")
fi
[[ $accel == tcg ]] && accel=tcg,thread=multi
cpu=max
[[ $accel == kvm ]] && cpu=host
args=(-accel "$accel" -cpu "$cpu" -smp 2 -m "$memory"
    -nodefaults -no-reboot -display none
    -bios "$qboot" -kernel "$VM_VMLINUX" -initrd "$VM_INITRD"
    -append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init"
    -serial "file:$dir/console.log"
    -qmp "unix:$dir/qmp.sock,server=on,wait=off"
    # The host root, read-only: every installed package and the build tree, as they are.
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
    -fsdev "local,id=shared,path=$dir,security_model=none,multidevs=remap"
    -device virtio-9p-pci,fsdev=shared,mount_tag=shared)
for ((i = 0; i < gpus; i++)); do
    # One device per output: a second head on one virtio-gpu stays disconnected.
    args+=(-device "virtio-gpu-pci,id=gpu$i")
done
for i in "${!disks[@]}"; do
    args+=(-drive "if=none,id=disk$i,format=raw,cache=unsafe,file=${disks[$i]}"
        -device "virtio-blk-pci,drive=disk$i,serial=vmdisk$i")
done

"$qemu" "${args[@]}" 2>"$dir/qemu.log" &
qemu_pid=$!
trap 'kill "$qemu_pid" 2>/dev/null || true' EXIT

# Takes the screenshots the guest asks for, until QEMU exits or time runs out.
screenshot() {
    local name=$1 i png
    for ((i = 0; i < gpus; i++)); do
        png=$dir/$name.png
        ((i == 0)) || png=$dir/$name-gpu$i.png
        python3 "$here/qmp.py" "$dir/qmp.sock" screendump \
            "{\"filename\": \"$dir/.shot.ppm\", \"device\": \"gpu$i\"}" >/dev/null &&
            convert "$dir/.shot.ppm" "$png" ||
            echo "vm-run: screendump $name of gpu$i failed" >&2
        rm -f "$dir/.shot.ppm"
    done
    echo "vm-run: screenshot $name" >&2
    touch "$dir/requests/$name.done"
}
start=$SECONDS
while kill -0 "$qemu_pid" 2>/dev/null; do
    for request in "$dir"/requests/*; do
        [[ -f $request && $request != *.done && ! -e $request.done ]] || continue
        screenshot "$(basename "$request")"
    done
    if ((SECONDS - start > timeout)); then
        echo "vm-run: FAIL: the VM did not finish within ${timeout}s; console tail:" >&2
        tail -n 20 "$dir/console.log" >&2
        exit 1
    fi
    sleep 0.2
done
wait "$qemu_pid" && qemu_rc=0 || qemu_rc=$?
elapsed=$((SECONDS - start))

if [[ ! -f $dir/result ]]; then
    echo "vm-run: FAIL: QEMU exited ($qemu_rc) after ${elapsed}s without a test result." >&2
    echo "--- qemu.log" >&2 && cat "$dir/qemu.log" >&2
    echo "--- console.log (tail)" >&2 && tail -n 30 "$dir/console.log" >&2 2>/dev/null
    exit 1
fi
rc=$(cat "$dir/result")
echo "vm-run: $(basename "$script") exited with $rc in the VM (${elapsed}s from boot to power-off)" >&2
exit "$rc"
