#!/usr/bin/env bash
# Lock-screen benchmark: lock latency and frames while a slow PAM module checks. In process
# (headless backend, pixman), with the real rampart-authd and real PAM through pam_wrapper.
# Usage: bench/run-lock.sh [--build-dir DIR] [--runs N]   Results: bench/out/lock-results.md
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="$here/../build"
runs=20
while (($#)); do
  case $1 in
    --build-dir) build=$(realpath "${2:?}"); shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    *) echo "usage: bench/run-lock.sh [--build-dir DIR] [--runs N]" >&2; exit 2 ;;
  esac
done
mkdir -p "$here/out"
export RAMPART_AUTHD="$build/lockscreen/authd/rampart-authd"
export RAMPART_TEST_PAM_MODULE="$build/tests/pam/pam_rampart_test.so"
export RAMPART_TEST_CLIENT="$build/tests/client/rampart-test-client"
exec "$build/bench/lock-bench" --runs "$runs" --out "$here/out/lock-results.md"
