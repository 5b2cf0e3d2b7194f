#!/usr/bin/env bash
# Installs the Debian packages vmengine needs to build, test and run its demo.
# Idempotent; safe to run on a fresh Debian 12 machine (as root, or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libzstd-dev zstd libtbb-dev libre2-dev libxxhash-dev
  libcli11-dev nlohmann-json3-dev clang-format python3 swig
  openjdk-17-jdk-headless maven
  # scripts/fuzz.sh: clang with libFuzzer and the sanitizer runtimes, llvm-symbolizer for stacks.
  clang libclang-rt-14-dev llvm
  # scripts/test.sh: compiler cache for the repeated builds of the core (bindings' bundled
  # builds, the install check); scripts/check_install.sh: a fresh Debian 12 for the packages.
  ccache debootstrap
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
