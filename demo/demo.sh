#!/usr/bin/env bash
# The demo: Rampart with a few programs. Nested in your Wayland/X11 session when there is
# one; otherwise headless, writing a screenshot you can open.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
rampart=$build_dir/compositor/rampart
client=$build_dir/tests/client/rampart-test-client
out=$PWD/out
mkdir -p "$out"

if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -w "${XDG_RUNTIME_DIR:-/nonexistent}" ]; then
  XDG_RUNTIME_DIR=$(mktemp -d /tmp/rampart-demo.XXXXXX)
  export XDG_RUNTIME_DIR
fi
chmod 700 "$XDG_RUNTIME_DIR"
events=$XDG_RUNTIME_DIR/rampart-demo-events.log
: >"$events"
demo_programs=(--spawn "foot --title 'A terminal (foot)' sh -c 'echo Welcome to Rampart; echo; echo Super+drag moves, Alt+Tab cycles, Super+f fullscreen; exec sh'"
  --spawn "weston-simple-shm"
  --spawn "$client --title 'Rampart test client' --size 360x240 --color 2f6f4f")

if [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${DISPLAY:-}" ]; then
  echo "demo: opening Rampart nested in your session (close its window or press Super+Shift+e)"
  exec "$rampart" --config demo/rampart.toml --user-config /dev/null "${demo_programs[@]}"
fi

trusted=$XDG_RUNTIME_DIR/rampart-demo-trusted
"$rampart" --headless --output-size 1280x720 --config demo/rampart.toml --user-config /dev/null \
  --trusted-socket "$trusted" --event-log "$events" "${demo_programs[@]}" 2>"$out/demo-rampart.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT

# Wait (bounded) until all three windows are mapped and foot has drawn its prompt.
for _ in $(seq 100); do
  [ "$(grep -c '"view_mapped"' "$events")" -ge 3 ] && break
  kill -0 $pid 2>/dev/null || { echo "demo: rampart exited; see $out/demo-rampart.log" >&2; exit 1; }
  sleep 0.1
done
[ "$(grep -c '"view_mapped"' "$events")" -ge 3 ] || { echo "demo: windows did not appear" >&2; exit 1; }
frames=$(grep -c '"output_commit"' "$events")
for _ in $(seq 50); do  # let clients paint a few more frames
  [ "$(grep -c '"output_commit"' "$events")" -ge $((frames + 5)) ] && break
  sleep 0.1
done
WAYLAND_DISPLAY=$trusted grim "$out/demo.png"
echo "demo: Rampart ran headless (no display found); screenshot: $out/demo.png"
