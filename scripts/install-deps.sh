#!/usr/bin/env bash
# Installs everything Rampart needs to build, run its demo and run its tests on Debian 12.
# Debian packages only; safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build=(build-essential pkg-config meson ninja-build clang-format
  libwlroots-dev libwayland-dev wayland-protocols libxkbcommon-dev libpixman-1-dev
  libcairo2-dev libpango1.0-dev libinput-dev libsystemd-dev libdrm-dev libudev-dev
  libtomlplusplus-dev catch2 libseat-dev libpam0g-dev libcryptsetup-dev libp11-kit-dev
  libjson-c-dev)
runtime=(xwayland fonts-dejavu-core xcursor-themes adwaita-icon-theme)
tests=(weston foot grim wtype waypipe imagemagick valgrind python3 dbus
  libpam-wrapper softhsm2 opensc openssl cryptsetup-bin
  qemu-system-x86 busybox-static cpio kmod xz-utils udev seatd libinput-tools e2fsprogs)

need=()
for pkg in "${build[@]}" "${runtime[@]}" "${tests[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
