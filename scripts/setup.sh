#!/usr/bin/env bash
# setup.sh: install what is missing, build, and run the main job or the tests.
#
#   scripts/setup.sh run    set up, build, run the main job (examples/, see README)
#   scripts/setup.sh test   set up, build (release + sanitizer), run every test
#   scripts/setup.sh build  set up and build only
#
# Idempotent: Debian packages are installed only when missing, builds are
# incremental. Needs root (or sudo) only when a package is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mode=${1:-build}
jobs=${SNOW_JOBS:-$(nproc)}

# What the build and the tests use (README "Dependencies").
packages=(
    build-essential cmake pkg-config git clang
    liburing-dev libwolfssl-dev libjemalloc-dev libcriterion-dev libsqlite3-dev
    postgresql curl wrk openssl python3 procps
)
# The tests also run the aarch64 context switch under qemu-user.
if [ "$mode" = test ]; then packages+=(qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross); fi

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

build() {  # build DIR [cmake args...]
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

install_missing
case "$mode" in
build)
    build build
    ;;
run)
    build build
    exec "$here/scripts/run-main.sh" build
    ;;
test)
    build build
    # Unit, e2e and integration tests on the release build...
    ctest --test-dir build --output-on-failure -j "$jobs"
    # ...then unit and e2e again with ASan + UBSan (DESIGN 8).
    build build-asan -DSNOW_SANITIZE=ON -DSNOW_BUILD_PERF=OFF
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs" -L 'unit|e2e'
    ;;
*)
    echo "usage: scripts/setup.sh run|test|build" >&2
    exit 2
    ;;
esac
