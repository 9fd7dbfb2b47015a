#!/usr/bin/env bash
# Prepares what a test VM boots, in the ignored cache folder (default <repo>/.cache/vm):
#   - Debian's own kernel (linux-image-amd64's current flavour), fetched with apt-get download
#     and unpacked with dpkg -x: nothing comes from outside Debian's package manager;
#   - its uncompressed vmlinux, so QEMU can boot it through PVH and skip the slow (under
#     emulation) self-decompression of the bzImage;
#   - its full module tree with modules.dep (the guest bind-mounts it, so modprobe and udev's
#     autoloading work there: dm-crypt, ciphers, uinput, virtio-gpu, ...);
#   - a small initramfs: busybox-static, the handful of modules needed to mount the host root
#     over virtio-9p, and vm-init.sh as /init.
# Writes <cache>/current.env (VM_KVER, VM_VMLINUX, VM_INITRD, VM_MODULES) for vm-run.sh.
# Safe to run again: only missing or out-of-date pieces are rebuilt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${VM_CACHE:-$repo/.cache/vm}
mkdir -p "$cache"

die() { echo "vm-image: $*" >&2; exit 1; }
for tool in apt-get apt-cache dpkg depmod modprobe cpio xz; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh installs it)"
done
# The initramfs has no libraries: its busybox must be the static one.
if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
    die "/bin/busybox is missing or not static (package busybox-static)"
fi

# --- kernel -------------------------------------------------------------------------------
# The metapackage names the current ABI's package, e.g. linux-image-6.1.0-56-amd64.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [[ -z $pkg ]]; then
    # No apt metadata (offline?): fall back to whatever kernel is already cached.
    pkg=$(ls -1 "$cache/kernel" 2>/dev/null | sort -V | tail -n1)
    [[ -n $pkg ]] || die "cannot resolve linux-image-amd64 (run apt-get update) and no kernel is cached"
fi
kdir=$cache/kernel/$pkg
if [[ ! -f $kdir/.complete ]]; then
    echo "vm-image: fetching $pkg with apt-get download" >&2
    rm -rf "$kdir"
    mkdir -p "$kdir/dl"
    (cd "$kdir/dl" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) ||
        die "apt-get download $pkg failed"
    dpkg -x "$kdir"/dl/*.deb "$kdir/root"
    rm -rf "$kdir/dl"
    kver=$(ls -1 "$kdir/root/lib/modules" | head -n1)
    # bzImage = setup code + compressed vmlinux. Debian compresses with xz: find the stream.
    vmlinuz=$kdir/root/boot/vmlinuz-$kver
    offset=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)
    [[ -n $offset ]] || die "no xz stream in $vmlinuz (did Debian change the kernel compression?)"
    # xz stops at the end of its stream, so tail may die of SIGPIPE: only xz's status counts.
    (set +o pipefail; tail -c +$((offset + 1)) "$vmlinuz" | xz -dc --single-stream >"$kdir/vmlinux")
    depmod -b "$kdir/root" "$kver"
    echo "$kver" >"$kdir/.complete"
fi
kver=$(cat "$kdir/.complete")
moddir=$kdir/root/lib/modules/$kver

# --- initramfs ----------------------------------------------------------------------------
# Only what it takes to reach the host root: virtio-pci, 9p over virtio, overlayfs.
# modprobe --show-depends lists each module after its dependencies, in load order.
initrd=$cache/initramfs-$kver.cpio
stamp=$(cat "$0" "$here/vm-init.sh" /bin/busybox | md5sum | cut -d' ' -f1)
if [[ ! -f $initrd || $(cat "$initrd.stamp" 2>/dev/null) != "$stamp" ]]; then
    echo "vm-image: building the initramfs" >&2
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work"/{bin,dev,proc,sys,newroot,lower,upper,modules}
    cp /bin/busybox "$work/bin/busybox"
    for applet in sh mount umount mkdir insmod switch_root cat echo sleep reboot; do
        ln -s busybox "$work/bin/$applet"
    done
    : >"$work/modules/order"
    modprobe -d "$kdir/root" -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p overlay |
        awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' | while read -r ko; do
            cp "$ko" "$work/modules/"
            basename "$ko" >>"$work/modules/order"
        done
    cp "$here/vm-init.sh" "$work/init"
    chmod +x "$work/init"
    (cd "$work" && find . | cpio -o -H newc --quiet) >"$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
    echo "$stamp" >"$initrd.stamp"
fi

cat >"$cache/current.env" <<EOF
VM_KVER=$kver
VM_VMLINUX=$kdir/vmlinux
VM_INITRD=$initrd
VM_MODULES=$moddir
EOF
echo "$cache/current.env"
