#!/usr/bin/env bash
# Rampart benchmark: Rampart and its peers (sway 1.7, cage 0.1.4, weston 10), headless with
# the pixman renderer, each driven by the same client. Prints one markdown table and writes
# bench/out/results.md and bench/out/results.json. See bench/README.md.
#
# Usage: bench/run.sh [options]   (as root: peers run as nobody)
#   --build-dir DIR       meson build dir (default: build); needs DIR/tests/client/rampart-test-client
#                         and, for the Rampart row, DIR/compositor/rampart
#   --client PATH         use another client with the same CLI (development only; e.g.
#                         bench/standin-client.py); results are marked provisional
#   --only LIST           compositors, comma-separated (default: rampart,sway,cage,weston)
#   --workloads LETTERS   subset of abcd (default: abcd)
#   --parts LIST          subset of start,rss,idle,cpu,callgrind (default: all)
#   --quick               smoke test: 1 CPU run of 3 s, one 2 s callgrind pair, 2 starts
#   --cpu-runs N --cpu-seconds S --cg-seconds S --cg-a-frames N --cg-min-frames N --cg-repeats N
#                         --start-runs N --idle-seconds S
#   --rampart-config FILE Rampart config (default: an empty file, i.e. defaults)
#   --sway-tiling         keep sway's tiling layout (default: every window floating)
#   --out DIR             output dir (default: bench/out)
# Builds nothing. Install the peers with bench/install-peers.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=build
client=
out="$here/out"
pyargs=()
quick=0

die() { echo "run.sh: $*" >&2; exit 2; }

while (($#)); do
  case $1 in
    --build-dir) build=${2:?}; shift 2 ;;
    --client) client=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --quick) quick=1; shift ;;
    --sway-tiling) pyargs+=(--sway-tiling); shift ;;
    --rampart-config) [[ -r ${2:?} ]] || die "cannot read $2"
      pyargs+=(--rampart-config "$(realpath "$2")"); shift 2 ;;
    --only|--workloads|--parts|--cpu-runs|--cpu-seconds|--cg-seconds|--cg-a-frames|--cg-min-frames|--cg-repeats|--start-runs|--idle-seconds)
      pyargs+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
if ((quick)); then
  pyargs=(--cpu-runs 1 --cpu-seconds 3 --cg-seconds 2 --cg-repeats 1 --start-runs 2 "${pyargs[@]}")
fi

[[ $(id -u) -eq 0 ]] || die "run as root: the peers run as nobody (sway refuses root) via setpriv"
[[ $build = /* ]] || build="$root/$build"

# --- tools
for t in /usr/bin/python3 setpriv valgrind callgrind_control; do
  command -v "$t" >/dev/null || die "$t not found: run bench/install-peers.sh"
done

# --- the client: the same binary for every compositor
standin=()
if [[ -z $client ]]; then
  client="$build/tests/client/rampart-test-client"
  [[ -x $client ]] || die "client not built: $client is missing.
  Build it first (e.g. 'meson setup build && meson compile -C build'), or pass --build-dir.
  For harness development only: --client bench/standin-client.py"
else
  client=$(realpath "$client") || die "no such client: $client"
  [[ -x $client ]] || die "client $client is not executable"
  [[ $(basename "$client") = standin-client.py ]] && standin=(--client-is-standin)
fi
# peers and their clients run as nobody: the client must be reachable by that user
setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$client" ||
  die "user nobody cannot execute $client (check the permissions of its directories)"

# --- scratch space, and the clean-up that runs whatever happens
token="rb$$x$RANDOM"
tmp=$(mktemp -d /tmp/rampart-bench.XXXXXX)
chmod 755 "$tmp"
mkdir -p "$out"
rm -rf "$out/logs"
bench_pid=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n $bench_pid ]] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$bench_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$bench_pid" 2>/dev/null || true
  fi
  # Every process the bench started carries RAMPART_BENCH_TOKEN=<token>-... in its
  # environment; end each of them by pid.
  local e pid left=0
  for e in /proc/[0-9]*/environ; do
    pid=${e#/proc/}; pid=${pid%/environ}
    [[ $pid = "$$" ]] && continue
    if { tr '\0' '\n' <"$e"; } 2>/dev/null | grep -q "^RAMPART_BENCH_TOKEN=$token-"; then
      kill -KILL "$pid" 2>/dev/null && left=$((left + 1))
    fi
  done
  ((left)) && echo "run.sh: killed $left leftover process(es)" >&2
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

start=$(date +%s)
/usr/bin/python3 "$here/bench.py" --build-dir "$build" --client "$client" "${standin[@]}" \
  --token "$token" --tmp "$tmp" --out "$out" "${pyargs[@]}" &
bench_pid=$!
set +e
wait "$bench_pid"
rc=$?
set -e
bench_pid=
echo "run.sh: finished in $(( $(date +%s) - start )) s; results in $out/results.md and results.json, logs in $out/logs" >&2
exit "$rc"
