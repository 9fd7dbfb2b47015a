#!/bin/sh
# Stage 1: /init of the test VM's initramfs (busybox sh, nothing else is there).
# It turns the host's own root filesystem into the guest's root: the host root comes read-only
# over virtio-9p (tag "hostroot"), a tmpfs overlay on top makes it writable for the guest
# (/run, /tmp, /etc changes stay in the VM), and switch_root enters it. switch_root, not
# chroot: udevadm refuses to work inside a chroot. The read-write results share (tag
# "shared") holds job.env, written by vm-run.sh, which names the stage 2 script to run.
export PATH=/bin

fail() {
    echo "VM-INIT-FAILED: $*"
    # vm-run.sh starts QEMU with -no-reboot: rebooting ends the VM.
    reboot -f
    sleep 10
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Modules in dependency order (vm-image.sh wrote the order).
for ko in $(cat /modules/order); do
    insmod "/modules/$ko" || fail "insmod $ko"
done

# msize: bigger 9p messages, far fewer round trips; cache=loose: the lower layer is read-only
# for the whole run, so the guest may cache it.
opts=trans=virtio,version=9p2000.L,msize=512000
# virtio-pci probes asynchronously; give the 9p devices a moment to appear.
tries=0
until mount -t 9p -o "$opts,ro,cache=loose" hostroot /lower 2>/dev/null; do
    tries=$((tries + 1))
    [ $tries -lt 50 ] || fail "cannot mount the host root over 9p"
    sleep 0.2
done
mount -t tmpfs -o mode=755,size=70% tmpfs /upper || fail "tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot ||
    fail "overlay mount"

mkdir -p /newroot/shared
mount -t 9p -o "$opts" shared /newroot/shared || fail "cannot mount the results share"
[ -f /newroot/shared/job.env ] || fail "no job.env in the results share"
. /newroot/shared/job.env

for fs in proc sys dev; do
    mount --move /$fs /newroot/$fs || fail "move /$fs"
done
exec switch_root /newroot "$VM_STAGE2"
fail "switch_root to $VM_STAGE2"
