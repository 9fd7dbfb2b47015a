#!/usr/bin/env bash
# Installs the peer compositors and tools that bench/run.sh needs (Debian 12 packages only).
# Safe to run again; installs nothing that is already there. Needs root (apt-get).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  sway          # sway 1.7 (wlroots 0.15)
  cage          # cage 0.1.4 (wlroots 0.15)
  xwayland      # cage 0.1.4 refuses to start without /usr/bin/Xwayland
  weston        # weston 10 (headless backend, pixman renderer)
  valgrind      # callgrind + callgrind_control
  python3       # result table / JSON writer (bench/report.py)
  procps        # ps / pgrep used while polling
  util-linux    # setpriv (run peers as nobody)
)

need=()
for pkg in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-peers.sh: need root to install: ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
for b in sway cage weston Xwayland valgrind callgrind_control python3 setpriv; do
  command -v "$b" >/dev/null || { echo "install-peers.sh: $b still missing" >&2; exit 1; }
done
echo "peers: $(sway --version 2>/dev/null | head -1); cage $(dpkg-query -W -f='${Version}' cage);" \
  "$(weston --version 2>/dev/null | head -1); $(valgrind --version)"
