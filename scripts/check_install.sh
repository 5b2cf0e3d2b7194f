#!/usr/bin/env bash
# Checks that the C library installs and links the way README.md ("Install the C library")
# tells a new user, in projects outside the repository:
#   1. the README's install steps, run as written in a clone of the repository's HEAD with HOME
#      in a temporary directory: they build only the `vmengine` target and install it into
#      $HOME/.local (so an install without the command-line tool must work);
#   2. the installed vmengine.pc alone (PKG_CONFIG_LIBDIR restricted to it: no dependency's
#      .pc may be needed) gives the flags, and is relocatable (the prefix is moved first);
#   3. a fresh C project: the README's example program, built with the README's pkg-config
#      commands and then with its CMake find_package(vmengine) project, run without
#      LD_LIBRARY_PATH on the real node_exporter capture (all 608,400 samples, 507 series);
#   4. the Debian packages: `cpack -G DEB` in BUILD_DIR, the names and contents of
#      libvmengine0, libvmengine-dev and vmengine-tools;
#   5. the packages installed into a scratch root that links the example against them:
#      with VME_DEB_CHROOT=1 (CI) a fresh Debian 12 (debootstrap --variant=minbase bookworm,
#      cached as a tarball under ${XDG_CACHE_HOME:-$HOME/.cache}/vmengine), where apt installs
#      the three packages with their dependencies and gcc, then builds and runs the example
#      and the packaged `vmengine` tool; otherwise the packages are unpacked with dpkg-deb -x
#      and the example is linked against that tree (run with LD_LIBRARY_PATH, since it is not
#      the system's root).
#   usage: scripts/check_install.sh BUILD_DIR     (BUILD_DIR: a full build, for cpack)
# Step 1 tests the committed HEAD, not uncommitted changes. Needs root for the chroot.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmengine-install.XXXXXX")
cleanup() {
  if [ -d "$tmp/deb12/proc" ] && mountpoint -q "$tmp/deb12/proc"; then umount "$tmp/deb12/proc"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
capture_name=node_exporter_1s_1200.prom.zst
say() { printf 'check_install: %s\n' "$*"; }

# Prints the fenced code block that follows the line `<!-- check_install: NAME -->` in
# README.md; fails when there is none.
readme_block() {
  awk -v marker="<!-- check_install: $1 -->" '
    $0 == marker { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```/ { exit }
    found == 2 { print }
    END { if (found != 2) exit 1 }' "$root/README.md" || {
    echo "check_install: README.md has no block marked '<!-- check_install: $1 -->'" >&2
    exit 1
  }
}

# The example's output must report every sample and series of the capture.
expect_full_capture() {
  grep -q '^imported 608400 samples' "$1" && grep -q '^507 series$' "$1" ||
    { echo "check_install: unexpected output of the example:" >&2; cat "$1" >&2; exit 1; }
}

say "1. the README's install steps, in a clone of HEAD, HOME=$tmp/home"
git clone -q "$root" "$tmp/vmengine"
mkdir -p "$tmp/home"
readme_block install-steps >"$tmp/install-steps.sh"
(cd "$tmp/vmengine" && HOME="$tmp/home" CCACHE_BASEDIR="$tmp/vmengine" bash -euo pipefail "$tmp/install-steps.sh")
prefix="$tmp/home/.local"
for f in lib/libvmengine.so.0 lib/libvmengine.so include/vmengine.h lib/pkgconfig/vmengine.pc \
  lib/cmake/vmengine/vmengineConfig.cmake; do
  [ -e "$prefix/$f" ] || { echo "check_install: the install steps did not install $f" >&2; exit 1; }
done
if [ -e "$prefix/bin/vmengine" ]; then
  echo "check_install: the library-only build installed a vmengine tool it never built" >&2
  exit 1
fi

say "2. vmengine.pc alone, from a copy of the prefix elsewhere"
cp -a "$prefix" "$tmp/relocated"
PKG_CONFIG_LIBDIR="$tmp/relocated/lib/pkgconfig" pkg-config --validate vmengine
flags=$(PKG_CONFIG_LIBDIR="$tmp/relocated/lib/pkgconfig" pkg-config --cflags --libs vmengine)
case "$flags" in
  *"$tmp/relocated/"*include*"$tmp/relocated/"*lib*) ;;
  *) echo "check_install: vmengine.pc is not relocatable: '$flags'" >&2; exit 1 ;;
esac
rm -rf "$tmp/relocated"

say "3. a fresh C project against $prefix: pkg-config, then find_package"
app="$tmp/app"
mkdir -p "$app"
readme_block c-example >"$app/main.c"
cp "$root/examples/data/$capture_name" "$app/"
readme_block c-build-pkgconfig >"$app/build.sh"
(cd "$app" && env -u LD_LIBRARY_PATH HOME="$tmp/home" VMENGINE="$tmp/vmengine" TMPDIR="$tmp" \
  bash -euo pipefail build.sh >"$tmp/out-pkgconfig.txt")
expect_full_capture "$tmp/out-pkgconfig.txt"
rm -f "$app/main"
readme_block c-cmakelists >"$app/CMakeLists.txt"
readme_block c-build-cmake >"$app/build-cmake.sh"
(cd "$app" && env -u LD_LIBRARY_PATH HOME="$tmp/home" TMPDIR="$tmp" \
  bash -euo pipefail build-cmake.sh >"$tmp/out-cmake.txt")
expect_full_capture "$tmp/out-cmake.txt"

say "4. cpack -G DEB in $build"
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB >/dev/null)
version=$(sed -n 's/^Version: //p' "$build/vmengine.pc")
debs=()
for pkg in libvmengine0 libvmengine-dev vmengine-tools; do
  deb=$(ls "$build/${pkg}_${version}_"*.deb 2>/dev/null || true)
  [ -n "$deb" ] || { echo "check_install: cpack wrote no $pkg package" >&2; exit 1; }
  debs+=("$deb")
done
# The listing is kept whole: `dpkg-deb -c | grep -q` would stop dpkg-deb with SIGPIPE.
expect_in_deb() {
  local listing
  listing=$(dpkg-deb -c "$1")
  grep -q -- "$2" <<<"$listing" || { echo "check_install: $(basename "$1") lacks $3" >&2; exit 1; }
}
expect_in_deb "${debs[0]}" './usr/lib/libvmengine.so.0 -> ' libvmengine.so.0
expect_in_deb "${debs[1]}" './usr/lib/pkgconfig/vmengine.pc' vmengine.pc
expect_in_deb "${debs[1]}" './usr/include/vmengine.h' vmengine.h
expect_in_deb "${debs[2]}" './usr/bin/vmengine$' /usr/bin/vmengine
dpkg-deb -f "${debs[1]}" Depends | grep -q "libvmengine0 (= $version)" || {
  echo "check_install: libvmengine-dev does not depend on libvmengine0 (= $version)" >&2; exit 1; }

if [ "${VME_DEB_CHROOT:-0}" = "1" ] && [ "$(id -u)" != 0 ]; then
  echo "check_install: VME_DEB_CHROOT=1 needs root (debootstrap, chroot)" >&2
  exit 1
fi
if [ "${VME_DEB_CHROOT:-0}" = "1" ]; then
  say "5. a fresh Debian 12 (debootstrap minbase) installs the packages and links the example"
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/vmengine"
  base="$cache/debian12-minbase.tar"
  mkdir -p "$cache" "$tmp/deb12"
  if [ ! -f "$base" ]; then
    debootstrap --variant=minbase bookworm "$tmp/deb12" http://deb.debian.org/debian >"$tmp/debootstrap.log" 2>&1 ||
      { tail -20 "$tmp/debootstrap.log" >&2; exit 1; }
    tar -C "$tmp/deb12" -cf "$base.partial" . && mv "$base.partial" "$base"
  else
    tar -C "$tmp/deb12" -xf "$base"
  fi
  mkdir -p "$tmp/deb12/app"
  cp "${debs[@]}" "$app/main.c" "$app/$capture_name" "$tmp/deb12/app/"
  cp /etc/resolv.conf "$tmp/deb12/etc/resolv.conf"
  mount -t proc proc "$tmp/deb12/proc"
  readme_block c-build-deb >"$tmp/deb12/app/build.sh"
  chroot "$tmp/deb12" /bin/bash -euo pipefail -c '
    cd /app
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends ./libvmengine0_*.deb ./libvmengine-dev_*.deb \
      ./vmengine-tools_*.deb gcc libc6-dev pkg-config >/app/apt.log 2>&1 || { tail -20 /app/apt.log; exit 1; }
    bash -euo pipefail build.sh >/app/out.txt
    vmengine import --data /app/cli-data '"$capture_name"' >/dev/null
    test "$(vmengine series-count --data /app/cli-data)" = 507' ||
    { echo "check_install: the Debian 12 chroot step failed" >&2; exit 1; }
  expect_full_capture "$tmp/deb12/app/out.txt"
  umount "$tmp/deb12/proc"
else
  say "5. the packages unpacked into a scratch root (dpkg-deb -x); the example linked against it"
  sroot="$tmp/scratch-root"
  for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$sroot"; done
  sapp="$tmp/scratch-app"
  mkdir -p "$sapp"
  cp "$app/main.c" "$app/$capture_name" "$sapp/"
  (cd "$sapp" &&
    cc -std=c99 main.c $(PKG_CONFIG_LIBDIR="$sroot/usr/lib/pkgconfig" pkg-config --cflags --libs vmengine) -o main &&
    LD_LIBRARY_PATH="$sroot/usr/lib" TMPDIR="$tmp" ./main "$capture_name" >"$tmp/out-scratch.txt")
  expect_full_capture "$tmp/out-scratch.txt"
  "$sroot/usr/bin/vmengine" import --data "$tmp/cli-data" "$sapp/$capture_name" >/dev/null
  test "$("$sroot/usr/bin/vmengine" series-count --data "$tmp/cli-data")" = 507
fi
say "ok"
