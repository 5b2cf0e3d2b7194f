#!/usr/bin/env bash
# The test command: installs dependencies, builds, and runs every test under CTest.
# With SANITIZE=1 it also builds and runs the suite under AddressSanitizer +
# UndefinedBehaviorSanitizer in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
BUILD_DIR="$root/build" "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure -j2 --timeout 900)
if [ "${SANITIZE:-0}" = "1" ]; then
  BUILD_DIR="$root/build-asan" BUILD_TYPE=Debug "$root/scripts/build.sh" \
    -DVME_SANITIZE='address;undefined' -DVME_BUILD_BENCH=OFF
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j2 --timeout 1800)
fi
