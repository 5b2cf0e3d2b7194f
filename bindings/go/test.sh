#!/usr/bin/env bash
# Builds and tests the Go binding against the vmengine library of a CMake build tree.
#   bindings/go/test.sh BUILD_DIR
# BUILD_DIR must hold libvmengine.so and vmengine-uninstalled.pc (any CMake build of the
# project). Runs `go vet` and `go test -race -count=1 -timeout 60m ./...` (cgocheck at its
# default; the timeout only catches a hang, generous for a machine with load average 10).
# Needs Go >= 1.21 on PATH (older or missing: a Go 1.24 toolchain is fetched once from the Go
# module proxy into ${XDG_CACHE_HOME:-$HOME/.cache}/vmengine-go).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO_FALLBACK=go1.24.6

if [ ! -f "$BUILD_DIR/vmengine-uninstalled.pc" ]; then
  echo "test.sh: $BUILD_DIR has no vmengine-uninstalled.pc (build the vmengine target first)" >&2
  exit 2
fi

go_minor() { "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p'; }

GO=$(command -v go || true)
if [ -z "$GO" ] || [ "$(go_minor "$GO")" = "" ] || [ "$(go_minor "$GO")" -lt 21 ]; then
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "test.sh: no Go >= 1.21 found and no toolchain for $(uname -m)" >&2; exit 1 ;;
  esac
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/vmengine-go"
  root="$cache/golang.org/toolchain@v0.0.1-$GO_FALLBACK.linux-$arch"
  if [ ! -x "$root/bin/go" ]; then
    echo "test.sh: fetching $GO_FALLBACK from the Go module proxy into $cache"
    mkdir -p "$cache"
    python3 - "$cache" "$GO_FALLBACK" "$arch" <<'PY'
import os, sys, urllib.request, zipfile, io
cache, ver, arch = sys.argv[1:]
proxy = os.environ.get("GOPROXY", "https://proxy.golang.org").split(",")[0]
if proxy in ("direct", "off", ""):
    proxy = "https://proxy.golang.org"
url = f"{proxy}/golang.org/toolchain/@v/v0.0.1-{ver}.linux-{arch}.zip"
data = urllib.request.urlopen(url, timeout=300).read()
with zipfile.ZipFile(io.BytesIO(data)) as z:
    z.extractall(cache)
root = os.path.join(cache, f"golang.org/toolchain@v0.0.1-{ver}.linux-{arch}")
for d in ("bin", os.path.join("pkg", "tool", f"linux_{arch}")):
    for f in os.listdir(os.path.join(root, d)):
        p = os.path.join(root, d, f)
        if os.path.isfile(p):
            os.chmod(p, 0o755)
PY
  fi
  export GOROOT="$root"
  GO="$root/bin/go"
fi

export PKG_CONFIG_PATH="$BUILD_DIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export CGO_ENABLED=1
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export GOFLAGS="${GOFLAGS:-} -mod=mod"

cd "$HERE"
echo "test.sh: $("$GO" version), vmengine from $(pkg-config --variable=pcfiledir vmengine 2>/dev/null || echo "$BUILD_DIR")"
"$GO" vet ./...
"$GO" test -race -count=1 -timeout 60m ./...
