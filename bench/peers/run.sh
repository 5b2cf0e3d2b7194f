#!/usr/bin/env bash
# Builds and runs the peer benchmark, from the repository root:
#   bash bench/peers/run.sh [--rounds N] [driver flags...]
# e.g. --rounds 1 --engines vmengine --workloads w1,query --w3-scrapes 60 (see
# `bench/peers/.bin/peers -h`). Steps:
#   1. libvmengine, Release, into bench/peers/.build (or $VMENGINE_BUILD_DIR, any CMake build
#      tree of the project holding libvmengine.so and vmengine-uninstalled.pc);
#   2. every engine under bench/peers/engines/ into bench/peers/.bin/ (the peers' Go modules come
#      from the Go module proxy; an engine that fails to build is skipped by the driver);
#   3. the driver: results/latest.json, results/latest.md and the table on stdout;
#   4. chart.py: docs/benchmarks-peers.png (matplotlib, installed into bench/peers/.venv if the
#      system python3 lacks it).
# Needs Go >= 1.24 on PATH, cmake, ninja, pkg-config, a C++20 compiler and the Debian -dev
# packages of scripts/setup.sh, and python3 (with venv and pip, or matplotlib).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-2}

if ! command -v go >/dev/null; then
  echo "run.sh: Go is not on PATH; install Go >= 1.24 (https://go.dev/dl/)" >&2
  exit 1
fi
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
export CGO_ENABLED=1

# 1. libvmengine.
BUILD_DIR=${VMENGINE_BUILD_DIR:-$HERE/.build}
if [ -z "${VMENGINE_BUILD_DIR:-}" ]; then
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    gen=()
    if command -v ninja >/dev/null; then gen=(-G Ninja); fi
    cmake -S "$ROOT" -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DVME_BUILD_TESTS=OFF -DVME_BUILD_TOOLS=OFF -DVME_BUILD_BENCH=OFF || {
      echo "run.sh: cmake failed; install the build dependencies with: bash scripts/setup.sh" >&2
      exit 1
    }
  fi
  cmake --build "$BUILD_DIR" -j "$JOBS" --target vmengine || {
    echo "run.sh: building libvmengine failed; install the build dependencies with: bash scripts/setup.sh" >&2
    exit 1
  }
fi
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
if [ ! -f "$BUILD_DIR/vmengine-uninstalled.pc" ]; then
  echo "run.sh: $BUILD_DIR has no vmengine-uninstalled.pc (build its vmengine target)" >&2
  exit 1
fi
export PKG_CONFIG_PATH="$BUILD_DIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

# 2. The engines and the driver.
BIN="$HERE/.bin"
mkdir -p "$BIN"
for dir in "$HERE"/engines/*/; do
  name=$(basename "$dir")
  [ -f "$dir/go.mod" ] || continue
  echo "run.sh: building engine $name"
  if ! (cd "$dir" && go build -o "$BIN/$name.new" .); then
    rm -f "$BIN/$name.new" "$BIN/$name"
    if [ "$name" = vmengine ]; then
      echo "run.sh: the vmengine engine failed to build" >&2
      exit 1
    fi
    echo "run.sh: engine $name failed to build; the driver skips it" >&2
    continue
  fi
  mv "$BIN/$name.new" "$BIN/$name"
done
(cd "$HERE" && go build -o "$BIN/peers" ./cmd/peers)

# 3. The benchmark.
status=0
"$BIN/peers" -bin "$BIN" -results "$HERE/results" "$@" || status=$?
if [ ! -f "$HERE/results/latest.json" ]; then
  exit "$status"
fi

# 4. The chart.
PY=python3
if ! "$PY" -c 'import matplotlib' 2>/dev/null; then
  VENV="$HERE/.venv"
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
    echo "run.sh: installing matplotlib into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet matplotlib
  fi
  PY="$VENV/bin/python"
fi
"$PY" "$HERE/chart.py" "$HERE/results/latest.json" "$ROOT/docs/benchmarks-peers.png"
exit "$status"
