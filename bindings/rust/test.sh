#!/usr/bin/env bash
# Tests the Rust binding (workspace: vmengine-sys, vmengine) against the libvmengine.so of an
# existing CMake build directory, then checks what a new user and crates.io would see.
#   usage: bindings/rust/test.sh BUILD_DIR
# Steps (bindings/rust/README.md, "Tests", says what each one proves):
#   1. cargo test --workspace (VMENGINE_LIB_DIR=BUILD_DIR), then clippy when it is installed
#      (-D warnings with VME_WERROR=ON, as CI sets it);
#   2. the quickstart example on the real node_exporter capture;
#   3. in a clean clone of the repository's HEAD (uncommitted changes are not seen):
#      `cargo publish --dry-run -p vmengine-sys`, `cargo package --list` of both crates, and a
#      `--features bundled` build that compiles the C++ core once (through ccache when it is
#      installed), runs the quickstart without LD_LIBRARY_PATH and the test suite;
#   4. a fresh project outside the repository against `cmake --install BUILD_DIR` (pkg-config),
#      with only the lines the README tells a user to add and the README's quickstart block as
#      src/main.rs, run without LD_LIBRARY_PATH.
# Needs crates.io (pkg-config and cmake crates; Cargo.lock pins them), git, cmake, a C++20
# compiler and the core's -dev packages (as for building the library itself).
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
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
capture="$root/examples/data/node_exporter_1s_1200.prom.zst"

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "rust: cargo not found (install Rust with rustup)" >&2
  exit 1
fi
unset CARGO_TARGET_DIR

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vmengine-rust.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "rust: FAILED: $*" >&2
  exit 1
}

# What the quickstart prints for the capture (README, "Quickstart").
check_quickstart_output() {
  local out="$1" what="$2"
  grep -qx "imported 608400 samples from 608400 lines" "$out" ||
    fail "$what: no 'imported 608400 samples from 608400 lines' in its output:$(echo; cat "$out")"
  grep -qx "series: 507" "$out" || fail "$what: no 'series: 507' in its output"
  grep -qx "metric names: 285" "$out" || fail "$what: no 'metric names: 285' in its output"
  [ "$(grep -c '^node_cpu_seconds_total{cpu="[0-9]*",mode="idle"}: 1200 samples, [0-9.]* s idle$' "$out")" = 2 ] ||
    fail "$what: not one line per CPU with 1200 samples:$(echo; cat "$out")"
}

# The body of the first ```rust block after "## Quickstart" of README $1.
readme_quickstart() {
  awk '/^## Quickstart$/ { s = 1; next }
       s == 1 && /^```rust/ { s = 2; next }
       s == 2 && /^```/ { exit }
       s == 2 { print }' "$1"
}

# ---- 1. unit, integration and doc tests; clippy ----------------------------------------------
cd "$here"
echo "rust: cargo test --workspace (VMENGINE_LIB_DIR=$BUILD_DIR)"
# No LD_LIBRARY_PATH: the build scripts give the test, example and doc-test binaries an rpath
# to BUILD_DIR.
env -u LD_LIBRARY_PATH VMENGINE_LIB_DIR="$BUILD_DIR" cargo test --workspace --locked --no-fail-fast

if cargo clippy --version >/dev/null 2>&1; then
  clippy_args=()
  if [ "${VME_WERROR:-OFF}" = "ON" ]; then clippy_args=(-D warnings); fi
  echo "rust: cargo clippy --workspace --all-targets -- ${clippy_args[*]}"
  VMENGINE_LIB_DIR="$BUILD_DIR" cargo clippy --workspace --all-targets --locked -- "${clippy_args[@]}"
else
  echo "rust: clippy is not installed; skipping the lint step"
fi
if [ "${VME_WERROR:-OFF}" = "ON" ]; then
  echo "rust: cargo doc --workspace --no-deps (RUSTDOCFLAGS=-D warnings: no broken doc links)"
  VMENGINE_LIB_DIR="$BUILD_DIR" RUSTDOCFLAGS="-D warnings" cargo doc --quiet --workspace --no-deps --locked
fi

# Without the library: the build error names what is missing and the three fixes.
mkdir -p "$tmp/no-pc"
echo "rust: the build error when no library is found"
if env -u VMENGINE_LIB_DIR -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR="$tmp/no-pc" \
  cargo build --quiet --locked -p vmengine-sys >"$tmp/notfound.out" 2>&1; then
  fail "vmengine-sys built without any library"
fi
for want in "libvmengine was not found" "the \`bundled\` feature is off" \
  "VMENGINE_LIB_DIR is not set" "\`pkg-config vmengine\` failed: Package vmengine was not found" \
  "Fix it in one of three ways" "1. build the C++ core with the crate" \
  "2. point VMENGINE_LIB_DIR" "3. install vmengine"; do
  grep -qF "$want" "$tmp/notfound.out" || fail "the not-found error lacks '$want':$(echo; cat "$tmp/notfound.out")"
done

# ---- 2. the quickstart on the capture ----------------------------------------------------------
echo "rust: cargo run --example quickstart (the README's quickstart) on $capture"
env -u LD_LIBRARY_PATH VMENGINE_LIB_DIR="$BUILD_DIR" \
  cargo run --quiet --locked -p vmengine --example quickstart -- "$capture" >"$tmp/quickstart.out"
check_quickstart_output "$tmp/quickstart.out" "examples/quickstart.rs"

# ---- 3. a clean clone: publish dry run, package lists, bundled build ---------------------------
if ! git -C "$root" rev-parse --verify -q HEAD >/dev/null; then
  fail "$root is not a git checkout: the clean-clone steps clone its HEAD"
fi
head="$(git -C "$root" rev-parse HEAD)"
echo "rust: clean clone of HEAD $head"
git clone -q --no-checkout "$root" "$tmp/clone"
git -C "$tmp/clone" checkout -q --detach "$head"
cd "$tmp/clone/bindings/rust"
export CARGO_TARGET_DIR="$tmp/clone/bindings/rust/target"

echo "rust: cargo publish --dry-run -p vmengine-sys (verify build with VMENGINE_LIB_DIR=$BUILD_DIR)"
VMENGINE_LIB_DIR="$BUILD_DIR" cargo publish --dry-run --locked -p vmengine-sys

# Package lists: what crates.io would get.
cargo package --list --locked -p vmengine-sys >"$tmp/sys.list"
for f in Cargo.toml build.rs src/lib.rs README.md LICENSE tests/header.rs cpp/LICENSE \
  cpp/CMakeLists.txt cpp/cmake/check_versions.cmake cpp/cmake/vmengine.pc.in \
  cpp/fuzz/CMakeLists.txt cpp/include/vmengine.h cpp/src/capi/vmengine.cc cpp/src/capi/vmengine.map; do
  grep -qx "$f" "$tmp/sys.list" || fail "the vmengine-sys package lacks $f:$(echo; cat "$tmp/sys.list")"
done
n_src="$(grep -c '^cpp/src/.*\.cc$' "$tmp/sys.list")"
n_tree="$(cd "$tmp/clone/src" && find . -name '*.cc' | wc -l)"
[ "$n_src" = "$n_tree" ] || fail "the vmengine-sys package holds $n_src of the $n_tree src/*.cc files"
cargo package --quiet --no-verify --locked -p vmengine-sys
crate="$CARGO_TARGET_DIR/package/vmengine-sys-$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1).crate"
[ -f "$crate" ] || fail "cargo package wrote no $crate"
if tar tvzf "$crate" | grep -q '^l'; then
  fail "$crate stores symlinks instead of the files they point at"
fi
# CMake configures the core from the package's cpp/ as build.rs asks it to (every file and
# directory CMakeLists.txt refers to is in the package); the build itself runs once, below.
mkdir -p "$tmp/pkg"
tar xzf "$crate" -C "$tmp/pkg"
cmake -S "$tmp/pkg"/vmengine-sys-*/cpp -B "$tmp/pkg-cmake" -DCMAKE_BUILD_TYPE=Release \
  -DVME_BUILD_TESTS=OFF -DVME_BUILD_TOOLS=OFF -DVME_BUILD_BENCH=OFF -DBUILD_TESTING=OFF \
  -DVME_FUZZ=OFF >"$tmp/pkg-cmake.log" 2>&1 ||
  fail "CMake cannot configure the core from the packaged vmengine-sys:$(echo; tail -20 "$tmp/pkg-cmake.log")"
cargo package --list --locked -p vmengine >"$tmp/vmengine.list"
for f in Cargo.toml build.rs README.md LICENSE src/lib.rs src/db.rs src/import.rs src/series.rs \
  src/error.rs examples/quickstart.rs; do
  grep -qx "$f" "$tmp/vmengine.list" || fail "the vmengine package lacks $f:$(echo; cat "$tmp/vmengine.list")"
done
echo "rust: package lists complete ($(wc -l <"$tmp/sys.list") files in vmengine-sys, $(wc -l <"$tmp/vmengine.list") in vmengine)"

# The bundled build: no VMENGINE_LIB_DIR, no build tree on PKG_CONFIG_PATH.
echo "rust: cargo build --features bundled in the clean clone (compiles the C++ core)"
launcher=()
if command -v ccache >/dev/null 2>&1; then
  # Paths relative to the clone, so that the cache hits across clones in other temp dirs.
  launcher=(CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
    CCACHE_BASEDIR="$tmp/clone")
fi
env -u VMENGINE_LIB_DIR -u PKG_CONFIG_PATH -u LD_LIBRARY_PATH "${launcher[@]}" \
  cargo build --locked -p vmengine --features bundled --example quickstart
# The whole suite against the static core too (no second compile of the core).
echo "rust: cargo test --workspace --features bundled in the clean clone"
env -u VMENGINE_LIB_DIR -u PKG_CONFIG_PATH -u LD_LIBRARY_PATH "${launcher[@]}" \
  cargo test --quiet --locked --workspace --features bundled
bin="$CARGO_TARGET_DIR/debug/examples/quickstart"
if readelf -d "$bin" | grep -q 'NEEDED.*libvmengine'; then
  fail "the bundled quickstart links libvmengine.so instead of the static core"
fi
env -u LD_LIBRARY_PATH "$bin" "$capture" >"$tmp/bundled.out"
check_quickstart_output "$tmp/bundled.out" "the bundled quickstart"
echo "rust: bundled build OK (static core; runs without LD_LIBRARY_PATH)"
unset CARGO_TARGET_DIR

# ---- 4. a fresh project outside the repository, against the installed library ----------------
prefix="$tmp/prefix"
echo "rust: fresh project against cmake --install $BUILD_DIR --prefix $prefix"
cmake --install "$BUILD_DIR" --prefix "$prefix" >/dev/null
# lib/, or lib/<multiarch>/ when BUILD_DIR was configured for the /usr prefix.
pc="$(find "$prefix" -name vmengine.pc -path '*/pkgconfig/*' | head -1)"
[ -n "$pc" ] || fail "cmake --install put no vmengine.pc under $prefix"
libdir="$(dirname "$(dirname "$pc")")"
mkdir -p "$tmp/fresh"
cd "$tmp/fresh"
cargo new --quiet --vcs none app
cd app
# README, "Add it to your project", 2: the cargo add line and the .cargo/config.toml lines.
cargo add --quiet vmengine --path "$here/vmengine"
mkdir -p .cargo
cat >.cargo/config.toml <<EOF
[env]
PKG_CONFIG_PATH = "$libdir/pkgconfig"

[build]
rustflags = ["-C", "link-arg=-Wl,-rpath,$libdir"]
EOF
readme_quickstart "$here/README.md" >src/main.rs
[ -s src/main.rs ] || fail "no quickstart block found in $here/README.md"
env -u VMENGINE_LIB_DIR -u PKG_CONFIG_PATH -u LD_LIBRARY_PATH cargo build --quiet
readelf -d target/debug/app | grep -q 'NEEDED.*libvmengine.so' ||
  fail "the fresh project does not link libvmengine.so"
readelf -d target/debug/app | grep -qF "path: [$libdir]" ||
  fail "the fresh project's binary has no rpath to $libdir"
env -u LD_LIBRARY_PATH ./target/debug/app "$capture" >"$tmp/fresh.out"
check_quickstart_output "$tmp/fresh.out" "the fresh project (README quickstart)"
echo "rust: fresh project OK (pkg-config, installed prefix, no LD_LIBRARY_PATH)"

echo "rust: all tests passed"
