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
# One program per level: each connects to its level's own socket, and Rampart frames it in
# that level's colours whatever it calls itself.
at() { echo "WAYLAND_DISPLAY=\$XDG_RUNTIME_DIR/rampart-$1"; }
demo_programs=(
  --spawn "$(at public) foot --title 'Public terminal' sh -c 'echo Welcome to Rampart.; echo; echo This window is Public: see its frame and the panel.; echo Ctrl+Alt+Delete opens the trusted overview.; exec sh'"
  --spawn "$(at internal) weston-simple-shm"
  --spawn "$(at secret) $client --title 'Secret report (claims to be Public!)' --size 420x260 --color 3a1f1f")

if [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${DISPLAY:-}" ]; then
  echo "demo: opening Rampart nested in your session (close its window or press Super+Shift+e)"
  exec "$rampart" --config demo/rampart.toml --user-config demo/user.toml "${demo_programs[@]}"
fi

trusted=$XDG_RUNTIME_DIR/rampart-demo-trusted
"$rampart" --headless --output-size 1280x720 --config demo/rampart.toml --user-config demo/user.toml \
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

# Then the lock screen, as rampartctl asks for it: Rampart draws it itself, over everything.
socket=$(sed -n 's/.*"event":"ready".*"socket":"\([^"]*\)".*/\1/p' "$events" | head -1)
"$build_dir/rampartctl/rampartctl" --socket "$XDG_RUNTIME_DIR/rampart/${socket##*/}.control" lock
for _ in $(seq 100); do  # the lock on screen, and the broker's first question (or its absence)
  grep -q '"locked_shown"' "$events" && grep -qE '"lock_prompt"|"broker_lost"' "$events" && break
  sleep 0.1
done
sleep 0.3 # the prompt's redraw lands in the next frame
WAYLAND_DISPLAY=$trusted grim "$out/demo-lock.png"
echo "demo: Rampart ran headless (no display found); screenshots: $out/demo.png, $out/demo-lock.png"
