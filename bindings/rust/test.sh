#!/usr/bin/env bash
# Builds and tests the Rust binding (workspace: vmengine-sys, vmengine) against the
# libvmengine.so of an existing CMake build directory.
#   usage: bindings/rust/test.sh BUILD_DIR
# Runs `cargo test --workspace` (unit, integration and doc tests, including the header check
# of vmengine-sys) with VMENGINE_LIB_DIR=BUILD_DIR, then clippy when it is installed (skipped
# with a note when it is not); with VME_WERROR=ON (set by CI) clippy runs with -D warnings.
# Needs crates.io for the pkg-config crate on the first run; Cargo.lock pins it.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR="$(cd "$1" && pwd)"
if [ ! -e "$BUILD_DIR/libvmengine.so" ]; then
  echo "rust: $BUILD_DIR/libvmengine.so not found: build the 'vmengine' target first" >&2
  exit 1
fi
cd "$(dirname "$0")"

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "rust: cargo not found (install Rust with rustup)" >&2
  exit 1
fi

export VMENGINE_LIB_DIR="$BUILD_DIR"
# The build scripts add an rpath to BUILD_DIR; LD_LIBRARY_PATH is a belt-and-braces fallback.
export LD_LIBRARY_PATH="$BUILD_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "rust: cargo test --workspace (VMENGINE_LIB_DIR=$BUILD_DIR)"
cargo test --workspace --locked --no-fail-fast

if cargo clippy --version >/dev/null 2>&1; then
  clippy_args=()
  if [ "${VME_WERROR:-OFF}" = "ON" ]; then clippy_args=(-D warnings); fi
  echo "rust: cargo clippy --workspace --all-targets -- ${clippy_args[*]}"
  cargo clippy --workspace --all-targets --locked -- "${clippy_args[@]}"
else
  echo "rust: clippy is not installed; skipping the lint step"
fi
echo "rust: all tests passed"
