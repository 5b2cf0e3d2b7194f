#!/usr/bin/env bash
# Disk full seen through the vmengine command-line tool, armed with VME_FS_FAULTS
# (docs/testing.md, "Fault injection"): an import is run once with a counting rule to learn its
# number N of file-system calls, then once per k = 1..N with call k failing with ENOSPC. Each
# run either succeeds, and then every row is exported exactly once, or exits non-zero with a
# message naming a file of the data directory and the OS error; either way the directory opens
# again and no row is exported twice. Then the whole import is retried without a fault and
# must store every row exactly once.
#
# Usage: bash tests/cli/disk_full_cli_test.sh <path-to-vmengine-binary>
set -u -o pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 VMENGINE_BINARY" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export LC_ALL=C
unset VME_FS_FAULTS
# Hundreds of fsyncs per run: on tmpfs when there is one.
BASE=${TMPDIR:-/tmp}
if [ -w /dev/shm ]; then BASE=/dev/shm; fi
TMP=$(mktemp -d "$BASE/vmengine_disk_full_cli.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}

# 3 series x 50 samples.
for s in 0 1 2; do
  for i in $(seq 0 49); do
    echo "disk_full_cli{s=\"$s\"} $((s * 1000 + i)) $((1767225600000 + i * 1000))"
  done
done >"$TMP/in.prom"
ROWS=150

# Exported rows (header excluded), and the count of distinct ones.
export_rows() {
  "$BIN" export --data "$1" >"$TMP/export.csv" 2>"$TMP/export.err" ||
    fail "export of $1 after $2: $(cat "$TMP/export.err")"
  total=$(($(wc -l <"$TMP/export.csv") - 1))
  distinct=$(tail -n +2 "$TMP/export.csv" | sort -u | wc -l)
}

VME_FS_FAULTS='any:every:count' "$BIN" import --data "$TMP/count" "$TMP/in.prom" \
  >/dev/null 2>"$TMP/count.err" || fail "import with a counting rule: $(cat "$TMP/count.err")"
N=$(sed -n 's/^VME_FS_FAULTS: rule "any:every:count" matched \([0-9]*\) calls$/\1/p' "$TMP/count.err")
[ -n "$N" ] && [ "$N" -gt 20 ] || fail "no call count in: $(cat "$TMP/count.err")"

failed_runs=0
for k in $(seq 1 "$N"); do
  db="$TMP/db$k"
  if VME_FS_FAULTS="any:nth=$k:ENOSPC" "$BIN" import --data "$db" "$TMP/in.prom" \
    >/dev/null 2>"$TMP/err"; then
    export_rows "$db" "a successful import with call $k failing"
    [ "$total" = "$ROWS" ] && [ "$distinct" = "$ROWS" ] ||
      fail "call $k: import succeeded but $total rows ($distinct distinct) of $ROWS are stored"
  else
    failed_runs=$((failed_runs + 1))
    grep -q "No space left on device" "$TMP/err" ||
      fail "call $k: the error does not name the OS error: $(cat "$TMP/err")"
    grep -q "$db" "$TMP/err" || fail "call $k: the error names no file of $db: $(cat "$TMP/err")"
    if [ -d "$db" ]; then
      export_rows "$db" "a failed import (call $k)"
      [ "$total" = "$distinct" ] || fail "call $k: $total rows exported, $distinct distinct"
    fi
  fi
  # Space returns: the import is run again from the start into a fresh directory.
  rm -rf "$db"
done
[ "$failed_runs" -gt 0 ] || fail "no run failed"

"$BIN" import --data "$TMP/final" "$TMP/in.prom" >/dev/null 2>"$TMP/err" ||
  fail "import without a fault: $(cat "$TMP/err")"
export_rows "$TMP/final" "the import without a fault"
[ "$total" = "$ROWS" ] && [ "$distinct" = "$ROWS" ] || fail "$total rows stored, want $ROWS"
echo "ok: $N calls, each failed once; $failed_runs imports failed with a clear error"
