#!/usr/bin/env bash
# The test command: installs dependencies, builds, and runs every test:
#   1. the CTest suite (unit, C API, golden, round-trip, real data, CLI, examples, versions)
#      in build/, a Release build (-O3, what users ship);
#   2. the install check (scripts/check_install.sh): the README's install steps, pkg-config and
#      find_package in fresh projects, the Debian packages (VME_DEB_CHROOT=1: installed into a
#      fresh Debian 12 chroot, as .ci/run does; else unpacked into a scratch root);
#   3. the compatibility check (VictoriaMetrics' own packages decode our directories);
#   4. each binding's own test runner (bindings/LANG/test.sh: its tests, its README quickstart,
#      a fresh project against the installed library, its packaging checks);
#   5. bench/peers' generator and driver tests, and a build of its vmengine engine.
# SANITIZE=1 adds the suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
# TSAN=1 adds every multi-threaded test under ThreadSanitizer (build-tsan/), no suppressions.
# FUZZ_SECONDS=N runs every libFuzzer target for N seconds under ASan+UBSan (scripts/fuzz.sh,
# build-fuzz/, clang). FAULT_LOOPS=1 runs the kill -9 loops (each wal_mode) on build/ and the
# flipped-bytes loop on build-asan/ (SANITIZE=1) or build/ (scripts/fault_loops.sh).
# VME_WERROR=ON (.ci/run sets it) makes every compiler warning an error: the CMake builds get
# -DVME_WERROR=ON, the Java JNI layer -Werror, clippy -D warnings. Default OFF.
# Every step prints its own result lines; the script stops at the first failure. Timeouts only
# catch hangs: they are generous enough for a machine with load average 10, and nothing waits
# for a fixed time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n=== %s\n' "$*"; }
case "${VME_WERROR:-OFF}" in
  ON | on | On | 1 | TRUE | true | YES | yes) export VME_WERROR=ON ;;
  *) export VME_WERROR=OFF ;;
esac
# Per-test CTest timeout, seconds (a hang catcher, not a performance bound).
timeout=3600

"$root/scripts/setup.sh"
# The core is compiled several times (build/, the sanitizer builds, the install check, the Rust
# `bundled` build, the Python wheel): ccache keeps the repeats cheap. CMake reads the launcher
# from the environment, also in the builds that cargo, Maven and pip drive.
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
fi

step "build (build/, Release, VME_WERROR=$VME_WERROR)"
BUILD_DIR="$root/build" BUILD_TYPE=Release "$root/scripts/build.sh" -DVME_WERROR="$VME_WERROR"

step "CTest suite"
(cd build && ctest --output-on-failure -j2 --timeout "$timeout")

if [ "${SANITIZE:-0}" = "1" ]; then
  step "CTest suite under ASan+UBSan (build-asan/)"
  BUILD_DIR="$root/build-asan" BUILD_TYPE=Debug "$root/scripts/build.sh" \
    -DVME_WERROR="$VME_WERROR" -DVME_SANITIZE='address;undefined' -DVME_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j2 --timeout "$timeout")
fi

if [ "${TSAN:-0}" = "1" ]; then
  # Every test that runs more than one thread (background work included): unit tests through
  # VME_UNIT_TEST_FILTER, and the C API tests that the bindings' calls follow. Only these
  # targets are built.
  step "multi-threaded tests under ThreadSanitizer (build-tsan/)"
  tsan_unit='concurrent_ingest lsm_concurrency lsm_sustained snapshot mergeset_table crash series_registry background retention index_db_lookup mergeset_item_filter fault_injection disk_full_background wal_replay quarantine background_no_workers'
  tsan_capi='misuse query'
  tsan_tests=$(printf '%s_test ' $tsan_unit $tsan_capi)
  BUILD_DIR="$root/build-tsan" TARGETS="$tsan_tests" "$root/scripts/build.sh" \
    -DVME_WERROR="$VME_WERROR" -DVME_SANITIZE=thread \
    -DVME_UNIT_TEST_FILTER="/(${tsan_unit// /|})_test\\.cc\$" -DVME_BUILD_TOOLS=OFF \
    -DVME_BUILD_BENCH=OFF
  tsan_regex="^($(echo $tsan_tests | tr ' ' '|'))\$"
  # A test missing from the build (renamed, filtered out) must not pass silently.
  found=$(cd build-tsan && ctest -N -R "$tsan_regex" | sed -n 's/^Total Tests: //p')
  if [ "$found" != "$(echo $tsan_tests | wc -w)" ]; then
    echo "TSan step: expected the CTest tests $tsan_tests; build-tsan has $found of them" >&2
    exit 1
  fi
  (cd build-tsan && TSAN_OPTIONS="halt_on_error=1" \
    ctest --output-on-failure -j2 --timeout "$timeout" -R "$tsan_regex")
fi

if [ "${FAULT_LOOPS:-0}" = "1" ]; then
  step "fault-injection loops: kill -9 (wal_mode sync, async, off) and flipped bytes"
  flip_build="$root/build"
  if [ "${SANITIZE:-0}" = "1" ]; then flip_build="$root/build-asan"; fi
  bash scripts/fault_loops.sh "$root/build" "$flip_build"
fi

if [ "${FUZZ_SECONDS:-0}" != "0" ]; then
  step "libFuzzer targets, ${FUZZ_SECONDS} s each, ASan+UBSan (build-fuzz/)"
  bash scripts/fuzz.sh "$FUZZ_SECONDS"
fi

step "install: README install steps, pkg-config, find_package, Debian packages"
bash scripts/check_install.sh "$root/build"

step "compatibility with VictoriaMetrics' storage packages"
bash tests/compat/compat_test.sh "$root/build" "$root"

for lang in go rust java python; do
  if [ -f "bindings/$lang/test.sh" ]; then
    step "$lang binding"
    bash "bindings/$lang/test.sh" "$root/build"
  fi
done
step "bench/peers: generator, driver, and the vmengine engine against this build"
# The peers' own engines need their Go modules from the proxy and run for minutes: they run in
# bench/peers/run.sh, not here. This checks the workload generator's test vectors and checksum,
# the driver's statistics, and that the vmengine engine still builds on the Go binding.
(cd bench/peers && go vet ./... && go test -count=1 ./... &&
  cd engines/vmengine && PKG_CONFIG_PATH="$root/build" CGO_ENABLED=1 go vet . &&
  PKG_CONFIG_PATH="$root/build" CGO_ENABLED=1 go build -o /dev/null .)
step "all tests passed"
