#!/usr/bin/env bash
# build_jni.sh [BUILD_DIR]
# Generates the JNI layer from vmengine.i with SWIG 4 and builds build/lib/libvmengine_jni.so.
#   BUILD_DIR given: link against the libvmengine.so of that CMake build tree (found through its
#                    vmengine-uninstalled.pc; the rpath points into the build tree).
#   no argument:     link against the installed library (`pkg-config vmengine`).
# Outputs (under bindings/java/build/): generated/java/org/vmengine/internal/*.java (compiled
# by Maven), generated/vmengine_wrap.c, lib/libvmengine_jni.so.
# Needs: swig (4.x), a C compiler, pkg-config, a JDK (JAVA_HOME or javac on PATH).
# VME_WERROR=ON (set by CI) compiles the generated C with -Werror; by default warnings stay
# warnings, so a newer compiler cannot break a user's build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"

if [ $# -ge 1 ]; then
  build_dir=$(cd "$1" && pwd)
  export PKG_CONFIG_PATH="$build_dir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
if ! pkg-config --exists vmengine; then
  echo "build_jni.sh: pkg-config cannot find vmengine (pass the CMake build directory)" >&2
  exit 1
fi
cflags=$(pkg-config --cflags vmengine)
swig_flags=""
for f in $cflags; do
  case "$f" in -I* | -D*) swig_flags="$swig_flags $f" ;; esac
done
libs=$(pkg-config --libs vmengine)
libdir=$(pkg-config --variable=libdir vmengine || true)
rpath=""
if [ -n "$libdir" ]; then rpath="-Wl,-rpath,$libdir"; fi

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
if [ ! -f "$JAVA_HOME/include/jni.h" ]; then
  echo "build_jni.sh: no jni.h under JAVA_HOME=$JAVA_HOME" >&2
  exit 1
fi

gen="$out/generated"
rm -rf "$gen"
mkdir -p "$gen/java/org/vmengine/internal" "$out/lib"
# shellcheck disable=SC2086
swig -java -DSWIGWORDSIZE64 -package org.vmengine.internal \
  -outdir "$gen/java/org/vmengine/internal" -o "$gen/vmengine_wrap.c" $swig_flags "$here/vmengine.i"
werror=""
if [ "${VME_WERROR:-OFF}" = "ON" ]; then werror="-Werror"; fi
# shellcheck disable=SC2086
${CC:-cc} -std=gnu11 -O2 -fPIC -fno-strict-aliasing -Wall -Wextra $werror -shared \
  -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" $cflags \
  -o "$out/lib/libvmengine_jni.so.tmp" "$gen/vmengine_wrap.c" $libs $rpath
mv "$out/lib/libvmengine_jni.so.tmp" "$out/lib/libvmengine_jni.so"
echo "build_jni.sh: built $out/lib/libvmengine_jni.so"
