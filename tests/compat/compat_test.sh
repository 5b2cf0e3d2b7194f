#!/usr/bin/env bash
# Compatibility check: data directories written by vmengine must be read by VictoriaMetrics'
# own code with exactly the rows vmengine itself returns. See tests/compat/README.md.
#   vmread: lib/storage of v1.72.0-cluster opens the directory and searches everything.
#   vmdump: lib/mergeset, lib/encoding, lib/decimal and MetricName of v1.73.0 (the same formats
#           as 1.72) decode the indexdb tables and data blocks; for the golden inputs the result
#           is also compared with the directory real VictoriaMetrics 1.72 wrote from them.
#
# usage: compat_test.sh BUILD_DIR REPO_ROOT
#   BUILD_DIR holds libvmengine.so and, if built, tools/vmengine/vmengine (the CLI).
# environment:
#   VME_COMPAT_VM_VERSION   module version of github.com/VictoriaMetrics/VictoriaMetrics
#                           (default v1.72.0-cluster)
#   VME_COMPAT_REQUIRE_VM=1 count it as a failure when vmread cannot be built (default: the
#                           checks that need it are reported as SKIP with the reason)
#   PYTHON                  python interpreter (default python3)
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR REPO_ROOT" >&2
  exit 2
fi
BUILD_DIR=$(realpath "$1")
REPO_ROOT=$(realpath "$2")
HERE=$REPO_ROOT/tests/compat
WORK=$BUILD_DIR/compat
VM_MODULE=github.com/VictoriaMetrics/VictoriaMetrics
VM_VERSION=${VME_COMPAT_VM_VERSION:-v1.72.0-cluster}
REQUIRE_VM=${VME_COMPAT_REQUIRE_VM:-0}
PY=${PYTHON:-python3}
HELPER=$HERE/compat_helper.py
LIB=$BUILD_DIR/libvmengine.so
CLI=$BUILD_DIR/tools/vmengine/vmengine
GOLDEN=$REPO_ROOT/tests/data/vm172

passed=0
failed=0
skipped=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
skip() { echo "SKIP: $1 ($2)"; skipped=$((skipped + 1)); }

finish() {
  echo "compat: $passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
  exit $?
}

if [[ ! -f $LIB ]]; then
  fail "setup: $LIB not found (build the vmengine target first)"
  finish
fi
rm -rf "$WORK"
mkdir -p "$WORK"

# --- vmread: VictoriaMetrics' own lib/storage -------------------------------------------
VMREAD=$WORK/vmread
vm_reason=""
if ! command -v go > /dev/null; then
  vm_reason="go is not installed"
else
  cp -r "$HERE/vmread" "$WORK/vmread-src"
  if (cd "$WORK/vmread-src" &&
    go mod edit -require="$VM_MODULE@$VM_VERSION" &&
    GOFLAGS=-mod=mod GONOSUMDB=$VM_MODULE timeout 1200 go build -o "$VMREAD" .) \
    > "$WORK/vmread-build.log" 2>&1; then
    echo "vmread built against $VM_MODULE@$VM_VERSION"
  else
    if grep -q "not available\|403 Forbidden\|404 Not Found\|410 Gone\|unknown revision" \
      "$WORK/vmread-build.log"; then
      vm_reason="the Go module proxy does not serve $VM_MODULE@$VM_VERSION"
    else
      vm_reason="go build of tests/compat/vmread failed"
    fi
    echo "vmread: $vm_reason; build log ($WORK/vmread-build.log), last lines:"
    tail -n 5 "$WORK/vmread-build.log" | sed 's/^/  | /'
  fi
fi
if [[ -n $vm_reason && $REQUIRE_VM == 1 ]]; then
  fail "build vmread ($vm_reason)"
fi

# --- vmdump: VictoriaMetrics' mergeset and codecs ----------------------------------------
VMDUMP=$WORK/vmdump
dump_reason=""
if ! command -v go > /dev/null; then
  dump_reason="go is not installed"
elif cp -r "$HERE/vmdump" "$WORK/vmdump-src" && (cd "$WORK/vmdump-src" &&
  GOFLAGS=-mod=mod GONOSUMDB=$VM_MODULE timeout 1200 go build -o "$VMDUMP" .) \
  > "$WORK/vmdump-build.log" 2>&1; then
  echo "vmdump built against $VM_MODULE@$(sed -n 's/^require .*VictoriaMetrics \(v[^ ]*\)$/\1/p' "$HERE/vmdump/go.mod")"
else
  dump_reason="go build of tests/compat/vmdump failed"
  echo "vmdump: $dump_reason; last lines of $WORK/vmdump-build.log:"
  tail -n 5 "$WORK/vmdump-build.log" | sed 's/^/  | /'
fi
if [[ -n $dump_reason && $REQUIRE_VM == 1 ]]; then
  fail "build vmdump ($dump_reason)"
fi

cli_ok=0
if [[ -x $CLI ]] && "$CLI" --version > /dev/null 2>&1; then
  cli_ok=1
else
  echo "note: the vmengine CLI ($CLI) is not usable; using the C API through ctypes instead"
fi

# --- helpers ----------------------------------------------------------------------------
compare() { # name expected.norm actual.norm
  if cmp -s "$2" "$3"; then
    pass "$1 ($(wc -l < "$2") lines)"
  else
    fail "$1"
    diff "$2" "$3" | head -n 20 | sed 's/^/  | /'
    echo "  | ($(wc -l < "$2") lines expected, $(wc -l < "$3") lines actual)"
  fi
}

vme_export() { # db out.csv
  if [[ $cli_ok == 1 ]]; then
    "$CLI" export --data "$1" --format csv > "$2"
  else
    "$PY" "$HELPER" export "$LIB" "$1" "$2"
  fi
}

run_vmdump() { # storage-dir out-prefix; fills out-prefix.{rows.norm,blocks,index}
  rm -rf "$2.copy"
  cp -a "$1" "$2.copy" &&
    "$VMDUMP" -data "$2.copy" -rows "$2.rows" -blocks "$2.blocks" -index "$2.index" \
      2> "$2.err" &&
    "$PY" "$HELPER" norm --plain "$2.rows" "$2.rows.norm"
}

# Every data part (data/{small,big}/YYYY_MM/<part>) and indexdb part (indexdb/<gen>/<part>)
# of a vmengine directory carries the checksum sidecar (docs/format.md, "Checksums"), so the
# VictoriaMetrics reads below show that VictoriaMetrics opens such parts.
check_sidecars() { # name storage-dir
  local data=0 idb=0 missing=()
  local p
  while IFS= read -r p; do
    if [[ -f $p/vmengine_checksums.bin ]]; then data=$((data + 1)); else missing+=("$p"); fi
  done < <(find "$2/data/small" "$2/data/big" -mindepth 2 -maxdepth 2 -type d \
    -path '*/[0-9][0-9][0-9][0-9]_[0-9][0-9]/*' ! -name tmp ! -name txn 2> /dev/null)
  while IFS= read -r p; do
    if [[ -f $p/vmengine_checksums.bin ]]; then idb=$((idb + 1)); else missing+=("$p"); fi
  done < <(find "$2/indexdb" -mindepth 2 -maxdepth 2 -type d -name '*_*_*' \
    ! -path '*/snapshots/*' 2> /dev/null)
  if [[ ${#missing[@]} -eq 0 && $data -gt 0 && $idb -gt 0 ]]; then
    pass "$1: every part carries vmengine_checksums.bin ($data data parts, $idb indexdb parts)"
  else
    fail "$1: parts without vmengine_checksums.bin: ${missing[*]:-none} ($data data, $idb indexdb with)"
  fi
}

check_dataset() { # name dir expected.csv [golden-storage-dir [expected-after-force-merge.csv]]
  local name=$1 d=$2 expected=$3 golden=${4:-} expected_fm=${5:-$3}
  check_sidecars "$name" "$d/db"
  cp -a "$d/db" "$d/vm-copy"
  cp -a "$d/db" "$d/dump-src"
  if ! vme_export "$d/db" "$d/export.csv" 2> "$d/export.err"; then
    fail "$name: vmengine export"
    sed 's/^/  | /' "$d/export.err" | head -n 10
    return
  fi
  "$PY" "$HELPER" norm "$d/export.csv" "$d/export.norm"
  "$PY" "$HELPER" norm "$expected" "$d/expected.norm"
  compare "$name: vmengine export equals the expected rows" "$d/expected.norm" "$d/export.norm"

  if [[ -n $vm_reason ]]; then
    skip "$name: VictoriaMetrics $VM_VERSION reads the vmengine directory" "$vm_reason"
  elif ! "$VMREAD" -data "$d/vm-copy" > "$d/vm.out" 2> "$d/vm.err"; then
    fail "$name: VictoriaMetrics $VM_VERSION reads the vmengine directory (vmread failed)"
    grep -v '\sinfo\s' "$d/vm.err" | tail -n 10 | sed 's/^/  | /'
  else
    "$PY" "$HELPER" norm --plain "$d/vm.out" "$d/vm.norm"
    compare "$name: VictoriaMetrics $VM_VERSION reads the vmengine directory, same rows as vmengine" \
      "$d/export.norm" "$d/vm.norm"
  fi

  local what="VictoriaMetrics mergeset+codecs decode the vmengine directory"
  if [[ -n $dump_reason ]]; then
    skip "$name: $what" "$dump_reason"
  elif ! run_vmdump "$d/dump-src" "$d/dump"; then
    fail "$name: $what (vmdump failed)"
    grep -av '\sinfo\s' "$d/dump.err" | tail -n 10 | sed 's/^/  | /'
  else
    compare "$name: $what, same rows as vmengine" "$d/export.norm" "$d/dump.rows.norm"
    if [[ -n $golden ]]; then
      if ! run_vmdump "$golden" "$d/golden"; then
        fail "$name: vmdump of the VictoriaMetrics 1.72 golden directory"
        grep -av '\sinfo\s' "$d/golden.err" | tail -n 10 | sed 's/^/  | /'
      else
        compare "$name: index entries (MetricIDs mapped to names) equal VictoriaMetrics 1.72's" \
          "$d/golden.index" "$d/dump.index"
        compare "$name: data parts and blocks (headers and payload bytes) equal VictoriaMetrics 1.72's" \
          "$d/golden.blocks" "$d/dump.blocks"
      fi
    fi
  fi
  # After a force merge (one part per partition, blocks re-encoded by vmengine's merge).
  cp -a "$d/db" "$d/fm"
  if ! "$PY" "$HELPER" force-merge "$LIB" "$d/fm" > "$d/fm.log" 2>&1; then
    fail "$name: vmengine force merge"
    tail -n 10 "$d/fm.log" | sed 's/^/  | /'
    return
  fi
  check_sidecars "$name: after a force merge" "$d/fm"
  vme_export "$d/fm" "$d/fm-export.csv" 2> "$d/fm-export.err"
  "$PY" "$HELPER" norm "$d/fm-export.csv" "$d/fm-export.norm"
  "$PY" "$HELPER" norm "$expected_fm" "$d/expected-fm.norm"
  compare "$name: after a force merge, vmengine export equals the expected rows" \
    "$d/expected-fm.norm" "$d/fm-export.norm"
  # VictoriaMetrics opens the merged parts (written by vmengine's merge) with their sidecars.
  if [[ -n $vm_reason ]]; then
    skip "$name: after a force merge, VictoriaMetrics $VM_VERSION reads the directory" "$vm_reason"
  else
    cp -a "$d/fm" "$d/fm-vm-copy"
    if ! "$VMREAD" -data "$d/fm-vm-copy" > "$d/fm-vm.out" 2> "$d/fm-vm.err"; then
      fail "$name: after a force merge, VictoriaMetrics $VM_VERSION reads the directory (vmread failed)"
      grep -v '\sinfo\s' "$d/fm-vm.err" | tail -n 10 | sed 's/^/  | /'
    else
      "$PY" "$HELPER" norm --plain "$d/fm-vm.out" "$d/fm-vm.norm"
      compare "$name: after a force merge, VictoriaMetrics $VM_VERSION reads the directory, same rows as vmengine" \
        "$d/fm-export.norm" "$d/fm-vm.norm"
    fi
  fi
  if [[ -z $dump_reason ]]; then
    if run_vmdump "$d/fm" "$d/fm-dump"; then
      compare "$name: after a force merge, $what, same rows as vmengine" \
        "$d/fm-export.norm" "$d/fm-dump.rows.norm"
    else
      fail "$name: after a force merge, $what (vmdump failed)"
    fi
  fi
}

# --- W1 at reduced scale: the W1 generator and labels -----------------------------------
# W1-small: 10 metrics x 10 hosts x 100 samples; W1-medium: 10 x 100 x 1000 (1 M rows: blocks
# of 1000 rows with zstd-compressed payloads, several indexdb blocks, merged parts).
w1_dataset() { # name hosts-per-metric samples
  local name=$1 d=$WORK/$1
  mkdir -p "$d"
  "$PY" "$HELPER" gen-w1 --series-per-metric "$2" --samples "$3" "$d/input.prom" "$d/input.csv"
  local ingest
  if [[ $cli_ok == 1 ]]; then
    ingest=("$CLI" import --data "$d/db" "$d/input.prom")
  else
    ingest=("$PY" "$HELPER" ingest "$LIB" "$d/input.csv" "$d/db")
  fi
  if "${ingest[@]}" > "$d/ingest.log" 2>&1; then
    check_dataset "$name" "$d" "$d/input.csv"
  else
    fail "$name: ingest (${ingest[*]})"
    tail -n 10 "$d/ingest.log" | sed 's/^/  | /'
  fi
}
w1_dataset W1-small 10 100
w1_dataset W1-medium 100 1000

# --- golden inputs: the rows VM 1.72 was given, one add + flush per batch ----------------
for set in special small; do
  d=$WORK/$set
  mkdir -p "$d"
  if "$PY" "$HELPER" ingest --allow-rejects "$LIB" "$GOLDEN/$set/input.csv" "$d/db" \
    > "$d/ingest.log" 2>&1; then
    check_dataset "$set" "$d" "$GOLDEN/$set/expected.csv" "$GOLDEN/$set/storage" \
      "$GOLDEN/$set/expected_after_force_merge.csv"
  else
    fail "$set: ingest through the C API"
    tail -n 10 "$d/ingest.log" | sed 's/^/  | /'
  fi
done

finish
