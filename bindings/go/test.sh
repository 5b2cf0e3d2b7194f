#!/usr/bin/env bash
# Builds and tests the Go binding against the vmengine library of a CMake build tree.
#   bindings/go/test.sh BUILD_DIR
# BUILD_DIR must hold libvmengine.so and vmengine-uninstalled.pc (any CMake build of the
# project). Runs, with PKG_CONFIG_PATH=BUILD_DIR:
#   1. in vmengine/ and vmprom/: `go vet` and `go test -race -count=1 -timeout 60m ./...`
#      (cgocheck at its default; the timeout only catches a hang). vmengine's TestREADME vets
#      the README's snippets and runs its quickstart on the real capture;
#   2. the fresh-project test: `cmake --install BUILD_DIR` into a temporary prefix, then a new
#      module in a temporary directory outside the repository, with only the go.mod lines the
#      README's Install section gives and the README's quickstart as main.go, built against
#      the build tree and then against the prefix in the same Go build cache (the README's
#      CGO_LDFLAGS run path keeps the two apart), run without LD_LIBRARY_PATH.
# Needs Go >= 1.21 on PATH (older or missing: a Go 1.24 toolchain is fetched once from the Go
# module proxy into ${XDG_CACHE_HOME:-$HOME/.cache}/vmengine-go), cmake, pkg-config, readelf.
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
# The Go build cache keys a cgo package by its sources and the CGO_* variables, not by what
# pkg-config prints: naming BUILD_DIR here keeps a package built against another build tree
# (or an install) from being reused for this one (see README, "The Go build cache").
CGO_LDFLAGS_USER="${CGO_LDFLAGS:-}"
export CGO_LDFLAGS="${CGO_LDFLAGS:--O2 -g} -L$BUILD_DIR"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export GOWORK=off
GOFLAGS_USER="${GOFLAGS:-}"
export GOFLAGS="$GOFLAGS_USER -mod=mod"

echo "test.sh: $("$GO" version), vmengine from $(pkg-config --variable=pcfiledir vmengine 2>/dev/null || echo "$BUILD_DIR")"
(cd "$HERE/vmengine" && "$GO" vet ./... && "$GO" test -race -count=1 -timeout 60m ./...)
# -stdmethods=false: chunkenc.Iterator.Seek(int64) is Prometheus's, not io.Seeker's.
(cd "$HERE/vmprom" && "$GO" vet -stdmethods=false ./... && "$GO" test -race -count=1 -timeout 60m ./...)

# --- Fresh project outside the repository, against the installed library -----------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmengine-go-fresh.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
cmake --install "$BUILD_DIR" --prefix "$prefix" >"$tmp/install.log" || {
  cat "$tmp/install.log" >&2
  exit 1
}
capture="$HERE/../../examples/data/node_exporter_1s_1200.prom.zst"
proj="$tmp/fresh"
mkdir "$proj"
# The quickstart (first Go block of the Quickstart section) and its expected output.
python3 - "$HERE/README.md" "$proj/main.go" "$tmp/want.txt" <<'PY'
import sys
readme, main_go, want = sys.argv[1:]
section, blocks, lines, i = "", {}, open(readme).read().split("\n"), 0
while i < len(lines):
    l = lines[i]
    if l.startswith("## "):
        section = l[3:]
    if section == "Quickstart" and l.strip() in ("```go", "```"):
        lang, body, i = l.strip()[3:], [], i + 1
        while lines[i].strip() != "```":
            body.append(lines[i]); i += 1
        blocks.setdefault(lang, "\n".join(body) + "\n")
    i += 1
open(main_go, "w").write(blocks["go"])
open(want, "w").write(blocks[""])
PY
cd "$proj"
# Exactly the README's Install step 2.
GOFLAGS="$GOFLAGS_USER" "$GO" mod init example.com/fresh
GOFLAGS="$GOFLAGS_USER" "$GO" mod edit -require=github.com/vmengine/vmengine/bindings/go/vmengine@v0.0.0 \
  -replace=github.com/vmengine/vmengine/bindings/go/vmengine="$HERE/vmengine"
# Against the build tree first: this leaves the build tree's -L/-rpath in the build cache.
PKG_CONFIG_PATH="$BUILD_DIR" CGO_LDFLAGS="$CGO_LDFLAGS_USER" GOFLAGS="$GOFLAGS_USER" "$GO" build -o app-tree .
# Then against the prefix, as README step 3 says.
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" CGO_LDFLAGS="${CGO_LDFLAGS_USER:+$CGO_LDFLAGS_USER }-Wl,-rpath,$prefix/lib" \
  GOFLAGS="$GOFLAGS_USER" \
  "$GO" build -o app .
runpath=$(readelf -d app | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
if [ "$runpath" != "$prefix/lib" ]; then
  echo "test.sh: the prefix build's run path is '$runpath', want '$prefix/lib' (stale build cache?)" >&2
  exit 1
fi
env -u LD_LIBRARY_PATH ./app "$capture" >out.txt
if ! diff -u "$tmp/want.txt" out.txt; then
  echo "test.sh: the fresh project's output differs from the README's" >&2
  exit 1
fi
echo "test.sh: fresh project OK (built against $prefix, run without LD_LIBRARY_PATH)"
