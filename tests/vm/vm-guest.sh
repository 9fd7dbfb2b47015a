#!/bin/bash
# Stage 2: PID 1 of the test VM, on the host root (read-only 9p + tmpfs overlay, see
# vm-init.sh). Brings up just the system services the tests need, runs one guest test script
# and reports its exit status, then ends the VM.
#   - the kernel's module tree (from the cache, visible through the host root) is bind-mounted
#     at /lib/modules/<version>, so modprobe and udev's autoloading work for any module;
#   - systemd-udevd: libinput needs the device properties udev adds (ID_INPUT_KEYBOARD, ...);
#   - seatd (when VM_SEATD=1): hands the DRM and input devices to the compositor (libseat).
# The result goes to the serial console ("VM-TEST-RESULT <rc>") and to /shared/result.
# job.env (written by vm-run.sh) names the test script and its variables.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
set -a
. /shared/job.env
set +a

finish() {
    echo "$1" >/shared/result
    echo "VM-TEST-RESULT $1" >/dev/console
    # Bounded: a volume a failed test left suspended would block an unbounded sync forever.
    timeout 10 sync
    # vm-run.sh starts QEMU with -no-reboot, so a reboot ends the VM at once.
    echo b >/proc/sysrq-trigger
    sleep 30
}

exec </dev/null >/dev/console 2>&1
echo "vm-guest: stage 2 up at $(cut -d' ' -f1 /proc/uptime)s, test $VM_TEST_SCRIPT"

# devtmpfs lacks the /dev/fd links bash's process substitution uses.
ln -sf /proc/self/fd /dev/fd
mkdir -p /dev/pts && mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p "/lib/modules/$VM_KVER"
mount --bind "$VM_MODULES" "/lib/modules/$VM_KVER" || finish 101
echo 1 >/proc/sys/kernel/sysrq

# Modules every test wants, plus whatever the test asked for (VM_MODULES_EXTRA, e.g.
# "dm-crypt" for storage tests). virtio-gpu and virtio-blk also autoload through udev, but
# loading them here makes "device present" deterministic before the test starts.
up() { echo "vm-guest: $* at $(cut -d' ' -f1 /proc/uptime)s"; }
up modprobe
for module in virtio_gpu virtio_blk uinput evdev ${VM_MODULES_EXTRA:-}; do
    modprobe "$module" || echo "vm-guest: modprobe $module failed"
done

# udevd in the background, then replay the coldplug events so the existing devices get their
# properties (libinput and wlroots skip devices udev has not initialised).
up udevd
/lib/systemd/systemd-udevd --daemon --resolve-names=never
# Only the subsystems the tests use: a full coldplug takes ~20 s under emulation.
udevadm trigger --type=devices --action=add --subsystem-match=input --subsystem-match=drm \
    --subsystem-match=block --subsystem-match=misc
up settle
udevadm settle --timeout=60 || echo "vm-guest: udevadm settle timed out"

if [[ ${VM_SEATD:-0} == 1 ]]; then
    seatd -g root >/run/seatd.log 2>&1 &
    for _ in $(seq 100); do [[ -S /run/seatd.sock ]] && break; sleep 0.1; done
    [[ -S /run/seatd.sock ]] || { echo "vm-guest: seatd did not start"; cat /run/seatd.log; finish 102; }
fi

mkdir -p /run/user/0 && chmod 700 /run/user/0
export XDG_RUNTIME_DIR=/run/user/0 HOME=/root

echo "vm-guest: running $VM_TEST_SCRIPT at $(cut -d' ' -f1 /proc/uptime)s"
bash "$VM_TEST_SCRIPT" >/shared/guest.log 2>&1
rc=$?
echo "vm-guest: $VM_TEST_SCRIPT exited with $rc"
finish "$rc"
