#!/usr/bin/env bash
# Rampart's one entry point: ./run.sh demo | test | bench | build
# Installs what is needed (Debian 12 packages, as root), builds, then does the job.
set -euo pipefail
cd "$(dirname "$0")"
job=${1:-demo}
shift || true

install_deps() {
  if [ "$(id -u)" = 0 ]; then
    ./scripts/install-deps.sh
  else
    echo "run.sh: not root; assuming the packages in scripts/install-deps.sh are installed" >&2
  fi
}

build() {  # build DIR [meson options...]
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null
  ninja -C "$dir"
}

case "$job" in
  demo)
    install_deps
    build build
    exec ./demo/demo.sh build "$@"
    ;;
  test)
    install_deps
    build build
    meson test -C build --print-errorlogs "$@"
    # The same suites under AddressSanitizer and UndefinedBehaviorSanitizer.
    build build-asan -Db_sanitize=address,undefined -Db_lundef=false
    # (The VM suite runs the plain build's binaries inside QEMU; once is enough.)
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C build-asan --print-errorlogs --no-suite vm "$@"
    # valgrind sees listener use-after-free inside libwayland, which ASan cannot.
    RAMPART_TEST_TIMEOUT_SCALE=10 meson test -C build --print-errorlogs --suite integration --timeout-multiplier 6 \
      --wrap "valgrind --error-exitcode=99 --errors-for-leak-kinds=none --suppressions=$PWD/tests/valgrind.supp --quiet"
    echo "all test runs passed"
    ;;
  bench)
    install_deps
    build build
    exec ./bench/run.sh --build-dir build "$@"
    ;;
  build)
    install_deps
    build build
    ;;
  *)
    echo "usage: ./run.sh demo|test|bench|build" >&2
    exit 2
    ;;
esac
