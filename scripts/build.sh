#!/usr/bin/env bash
# Configures and builds vmengine into BUILD_DIR (default: build). Extra args go to cmake.
#   BUILD_TYPE  CMAKE_BUILD_TYPE (default RelWithDebInfo)
#   TARGETS     space-separated targets to build (default: all)
#   JOBS        parallel jobs (default 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j"${JOBS:-2}" "${targets[@]}"
