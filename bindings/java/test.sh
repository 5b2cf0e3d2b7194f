#!/usr/bin/env bash
# test.sh BUILD_DIR: builds the JNI library of the Java binding against the libvmengine of the
# CMake build tree BUILD_DIR (build_jni.sh) and runs the JUnit 5 tests with Maven
# (`mvn -q -B test`; JUnit comes from Maven Central into the default local repository, or into
# $VME_MAVEN_REPO_LOCAL if set). Exits non-zero on failure.
# Needs: swig, cc, pkg-config (scripts/setup.sh), a JDK >= 17 and Maven.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$1" && pwd)
"$here/build_jni.sh" "$build_dir"
mvn_args=(-q -B -f "$here/pom.xml")
if [ -n "${VME_MAVEN_REPO_LOCAL:-}" ]; then mvn_args+=("-Dmaven.repo.local=$VME_MAVEN_REPO_LOCAL"); fi
mvn "${mvn_args[@]}" test
echo "bindings/java: tests passed"
