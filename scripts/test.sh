#!/usr/bin/env bash
# The test command: installs dependencies, builds, and runs every test:
#   1. the CMocka/CTest suite (unit, C API, golden, round-trip, real data, CLI, examples);
#   2. the compatibility check (VictoriaMetrics' own packages decode our directories);
#   3. each binding's own test runner (go test -race, cargo test, mvn test).
# SANITIZE=1 adds the suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
# TSAN=1 adds the concurrency tests under ThreadSanitizer (build-tsan/).
# Every step prints its own result lines; the script stops at the first failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n=== %s\n' "$*"; }

"$root/scripts/setup.sh"

step "build (build/)"
BUILD_DIR="$root/build" "$root/scripts/build.sh"

step "CTest suite"
(cd build && ctest --output-on-failure -j2 --timeout 900)

if [ "${SANITIZE:-0}" = "1" ]; then
  step "CTest suite under ASan+UBSan (build-asan/)"
  BUILD_DIR="$root/build-asan" BUILD_TYPE=Debug "$root/scripts/build.sh" \
    -DVME_SANITIZE='address;undefined' -DVME_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j2 --timeout 1800)
fi

if [ "${TSAN:-0}" = "1" ]; then
  step "concurrency tests under ThreadSanitizer (build-tsan/)"
  BUILD_DIR="$root/build-tsan" "$root/scripts/build.sh" -DVME_SANITIZE=thread \
    -DVME_UNIT_TEST_FILTER='(lsm_concurrency|concurrent_ingest)' -DVME_BUILD_TOOLS=OFF \
    -DVME_BUILD_BENCH=OFF
  (cd build-tsan && TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/tsan.supp" \
    ctest --output-on-failure --timeout 1800 -R '(lsm_concurrency|concurrent_ingest)')
fi

step "compatibility with VictoriaMetrics' storage packages"
bash tests/compat/compat_test.sh "$root/build" "$root"

for lang in go rust java; do
  if [ -f "bindings/$lang/test.sh" ]; then
    step "$lang binding"
    bash "bindings/$lang/test.sh" "$root/build"
  fi
done
step "all tests passed"
