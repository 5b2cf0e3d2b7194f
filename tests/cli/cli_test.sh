#!/usr/bin/env bash
# End-to-end tests of the vmengine command-line tool (tools/vmengine).
#
# Usage: bash tests/cli/cli_test.sh <path-to-vmengine-binary> <repo-root>
#
# Every check prints "ok" or "FAIL"; the last line is "N passed, M failed" and the exit status
# is non-zero if any check failed.
set -u -o pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 VMENGINE_BINARY REPO_ROOT" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$2" && pwd)
if [ ! -x "$BIN" ]; then
  echo "not an executable: $BIN" >&2
  exit 2
fi
export LC_ALL=C
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmengine_cli_test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

PASSED=0
FAILED=0
RC=0
OUT=$TMP/stdout
ERR=$TMP/stderr

pass() {
  PASSED=$((PASSED + 1))
  echo "ok   $1"
}

# fail NAME [DETAILS]
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL $1"
  if [ $# -gt 1 ]; then
    printf '%s\n' "$2" | head -n 40 | sed 's/^/     /'
  fi
}

# run ARGS...: runs the tool, stdout to $OUT, stderr to $ERR, exit status to $RC.
run() {
  "$BIN" "$@" >"$OUT" 2>"$ERR"
  RC=$?
}

# expect_ok NAME: the last run succeeded.
expect_ok() {
  if [ "$RC" -eq 0 ]; then
    pass "$1"
  else
    fail "$1" "exit status $RC; stderr: $(cat "$ERR")"
  fi
}

# expect_eq NAME GOT WANT
expect_eq() {
  if [ "$2" = "$3" ]; then
    pass "$1"
  else
    fail "$1" "got:  [$2]
want: [$3]"
  fi
}

# expect_same_file NAME GOT_FILE WANT_FILE
expect_same_file() {
  local d
  if d=$(diff -u "$3" "$2" 2>&1); then
    pass "$1"
  else
    fail "$1" "$d"
  fi
}

# expect_one_line_error NAME: the last run failed with exactly one line
# "vmengine: error: ..." on stderr.
expect_one_line_error() {
  local lines
  lines=$(wc -l <"$ERR")
  if [ "$RC" -ne 0 ] && [ "$lines" -eq 1 ] && grep -q '^vmengine: error: .' "$ERR"; then
    pass "$1"
  else
    fail "$1" "exit status $RC, $lines stderr lines: $(cat "$ERR")"
  fi
}

# summary KEY FILE: the value of "KEY:" in an import summary.
summary() {
  sed -n "s/^ *$1: *//p" "$2" | head -n 1
}

# sorted_rows CSV: the data rows (header removed), byte-sorted.
sorted_rows() {
  tail -n +2 "$1" | sort
}

# ------------------------------------------------------------------------------------------
# Inputs

cat >"$TMP/sample.prom" <<'EOF'
# HELP test_gauge A gauge.
# TYPE test_gauge gauge
test_gauge{host="a",dc="x"} 1.5 1767225600000
test_gauge{host="a",dc="x"} 2.25 1767225660000
test_gauge{dc="x",host="b"} -3 1767225600000
test_gauge{dc="x",host="b"} 1e6 1767225660000

# a comment
test_counter_total 10 1767225600000
test_counter_total{empty=""} 20 1767225660000
test_quotes{path="C:\\dir",msg="say \"hi\"",nl="a\nb"} 42 1767225600000
test_inf{sign="pos"} +Inf 1767225600000
test_inf{sign="neg"} -Inf 1767225600000
test_small 0.001 1767225600000
test_small NaN 1767225660000
EOF

# The metric column is vme_series_iter_name: VictoriaMetrics' canonical form, labels sorted,
# values Go-quoted, and "name{}" for a series without labels.
cat >"$TMP/expected.csv" <<'EOF'
metric,timestamp_ms,value,value_bits
"test_gauge{dc=""x"",host=""a""}",1767225600000,1.5,3ff8000000000000
"test_gauge{dc=""x"",host=""a""}",1767225660000,2.25,4002000000000000
"test_gauge{dc=""x"",host=""b""}",1767225600000,-3,c008000000000000
"test_gauge{dc=""x"",host=""b""}",1767225660000,1e+06,412e848000000000
test_counter_total{},1767225600000,10,4024000000000000
test_counter_total{},1767225660000,20,4034000000000000
"test_quotes{msg=""say \""hi\"""",nl=""a\nb"",path=""C:\\dir""}",1767225600000,42,4045000000000000
"test_inf{sign=""pos""}",1767225600000,+Inf,7ff0000000000000
"test_inf{sign=""neg""}",1767225600000,-Inf,fff0000000000000
test_small{},1767225600000,0.001,3f50624dd2f1a9fc
EOF
HEADER='metric,timestamp_ms,value,value_bits'
sorted_rows "$TMP/expected.csv" >"$TMP/expected.sorted"

cat >"$TMP/bad.prom" <<'EOF'
good_metric 1 1767225600000
bad_metric{a="x 1 1767225600000
good_metric 2 1767225660000
bad_metric 1 1767225600000 junk
EOF

# ------------------------------------------------------------------------------------------
# Help and usage errors

for cmd in import query export labels series-count stats version; do
  run "$cmd" --help
  if [ "$RC" -eq 0 ] && grep -q 'Usage' "$OUT"; then
    pass "$cmd --help"
  else
    fail "$cmd --help" "exit status $RC: $(cat "$OUT" "$ERR")"
  fi
done
run version
expect_ok "version"
run
expect_one_line_error "no subcommand"
run no-such-command
expect_one_line_error "unknown subcommand"
run import "$TMP/sample.prom"
expect_one_line_error "import without --data"
run import --data "$TMP/d_missing" "$TMP/does_not_exist.prom"
expect_one_line_error "import of a missing file"
if [ -e "$TMP/d_missing" ]; then
  fail "import of a missing file: no data directory created"
else
  pass "import of a missing file: no data directory created"
fi

# ------------------------------------------------------------------------------------------
# Import: plain file, .zst and stdin, each into its own data directory

D=$TMP/d_plain
run import --data "$D" "$TMP/sample.prom"
expect_ok "import plain"
cp "$OUT" "$TMP/summary_plain"
# The only stderr line is the report of the NaN row (line 15) that the engine rejects: no
# progress bar without a TTY.
expect_eq "import: stderr holds only rejected rows (no progress bar without a TTY)" \
  "$(cat "$ERR")" "$TMP/sample.prom:15: row rejected: NaN value (only the staleness marker is stored)"
expect_eq "import: rows read" "$(summary 'rows read' "$TMP/summary_plain")" "11"
expect_eq "import: rows imported" "$(summary 'rows imported' "$TMP/summary_plain")" "10"
expect_eq "import: NaN rejected" "$(summary 'NaN' "$TMP/summary_plain")" "1"
expect_eq "import: rows rejected" "$(summary 'rows rejected' "$TMP/summary_plain")" "1"
expect_eq "import: rejected lines" "$(summary 'rejected lines' "$TMP/summary_plain")" "0"
expect_eq "import: series" "$(summary 'series' "$TMP/summary_plain")" "7"

if zstd -q -f -o "$TMP/sample.prom.zst" "$TMP/sample.prom"; then
  run import --data "$TMP/d_zst" "$TMP/sample.prom.zst"
  expect_ok "import .zst"
  expect_eq "import .zst: rows imported" "$(summary 'rows imported' "$OUT")" "10"
  expect_eq "import .zst: series" "$(summary 'series' "$OUT")" "7"
  # zstd is recognised by its magic number, not by the name; zstd from stdin too.
  cp "$TMP/sample.prom.zst" "$TMP/sample_zst.txt"
  run import --data "$TMP/d_zst_named" "$TMP/sample_zst.txt"
  expect_ok "import zstd named .txt"
  expect_eq "import zstd named .txt: rows imported" "$(summary 'rows imported' "$OUT")" "10"
  "$BIN" import --data "$TMP/d_zst_stdin" - <"$TMP/sample.prom.zst" >"$OUT" 2>"$ERR"
  RC=$?
  expect_ok "import zstd from stdin"
  expect_eq "import zstd from stdin: rows imported" "$(summary 'rows imported' "$OUT")" "10"
  # A cut stream fails naming the file and the byte offset.
  head -c 20 "$TMP/sample.prom.zst" >"$TMP/cut.prom.zst"
  run import --data "$TMP/d_zst_cut" "$TMP/cut.prom.zst"
  expect_one_line_error "import of a cut zstd file"
  if grep -q "cut.prom.zst: .*zstd stream.* offset 20" "$ERR"; then
    pass "a cut zstd file: the error names the file and the offset"
  else
    fail "a cut zstd file: the error names the file and the offset" "$(cat "$ERR")"
  fi
else
  fail "zstd compresses the sample"
fi

"$BIN" import --data "$TMP/d_stdin" - <"$TMP/sample.prom" >"$OUT" 2>"$ERR"
RC=$?
expect_ok "import stdin"
expect_eq "import stdin: rows imported" "$(summary 'rows imported' "$OUT")" "10"
expect_eq "import stdin: series" "$(summary 'series' "$OUT")" "7"

run import --data "$TMP/d_retention" --retention 30d "$TMP/sample.prom"
expect_ok "import --retention 30d"
expect_eq "import --retention: nothing imported" "$(summary 'rows imported' "$OUT")" "0"
expect_eq "import --retention: every row rejected" "$(summary 'rows rejected' "$OUT")" "11"
run import --data "$TMP/d_retention" --retention not-a-duration "$TMP/sample.prom"
expect_one_line_error "import with a bad --retention"

# ------------------------------------------------------------------------------------------
# Export

for d in d_plain d_zst d_stdin; do
  run export --data "$TMP/$d" --format csv
  expect_ok "export $d"
  expect_eq "export $d: header" "$(head -n 1 "$OUT")" "$HEADER"
  sorted_rows "$OUT" >"$TMP/got.sorted"
  expect_same_file "export $d: rows" "$TMP/got.sorted" "$TMP/expected.sorted"
done

run export --data "$D"
expect_ok "export default format is csv"
expect_eq "export default format: header" "$(head -n 1 "$OUT")" "$HEADER"

run export --data "$D" --format jsonl
expect_ok "export jsonl"
expect_eq "export jsonl: one line per series" "$(wc -l <"$OUT" | tr -d ' ')" "7"
if python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"metric", "values", "timestamps"}, o
    assert len(o["values"]) == len(o["timestamps"]) > 0, o
    assert o["timestamps"] == sorted(o["timestamps"]), o
    n += 1
assert n == 7
' "$OUT"; then
  pass "export jsonl: every line is a series object"
else
  fail "export jsonl: every line is a series object" "$(cat "$OUT")"
fi

run export --data "$D" 'test_gauge{host="b"}'
expect_ok "export with a selector"
sorted_rows "$OUT" >"$TMP/got.sorted"
grep '^"test_gauge{dc=""x"",host=""b""}"' "$TMP/expected.sorted" >"$TMP/want.sorted"
expect_same_file "export with a selector: rows" "$TMP/got.sorted" "$TMP/want.sorted"

# ------------------------------------------------------------------------------------------
# Query: each matcher type, time ranges, JSON lines

# query_rows NAME WANT_GREP_REGEX ARGS...: query succeeds and its rows equal the expected rows
# matching the regex.
query_rows() {
  local name=$1 want=$2
  shift 2
  run query --data "$D" "$@"
  if [ "$RC" -ne 0 ]; then
    fail "$name" "exit status $RC: $(cat "$ERR")"
    return
  fi
  sorted_rows "$OUT" >"$TMP/got.sorted"
  grep -E "$want" "$TMP/expected.sorted" >"$TMP/want.sorted"
  expect_same_file "$name" "$TMP/got.sorted" "$TMP/want.sorted"
}

query_rows "query =" '^"test_gauge\{dc=""x"",host=""a""\}"' 'test_gauge{host="a"}'
query_rows "query !=" '^"test_gauge\{dc=""x"",host=""b""\}"' 'test_gauge{host!="a"}'
query_rows "query =~" '^"test_(gauge|inf)\{' '{__name__=~"test_(gauge|inf)"}'
query_rows "query !~" '^"test_inf\{sign=""neg""\}"' 'test_inf{sign!~"p.*"}'
query_rows "query metric name only" '^test_counter_total\{\},' 'test_counter_total'
query_rows "query label value with escapes" '^"test_quotes' 'test_quotes{msg="say \"hi\""}'
query_rows "query --start RFC 3339 --end ms" '^"test_gauge\{.*,1767225660000,' \
  --start 2026-01-01T00:00:30Z --end 1767225660000 'test_gauge'
query_rows "query --start with offset and fraction" '^"test_gauge\{.*,1767225600000,' \
  --start 2026-01-01T01:00:00.000+01:00 --end 2026-01-01T00:00:59.999Z 'test_gauge'

run query --data "$D" --start 2026-01-01T00:01:00.001Z 'test_gauge'
expect_ok "query with an empty result"
expect_eq "query with an empty result: header only" "$(cat "$OUT")" "$HEADER"

run query --data "$D" --format jsonl 'test_gauge{host="a"}'
expect_ok "query jsonl"
if python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o == {"metric": {"__name__": "test_gauge", "dc": "x", "host": "a"},
             "values": [1.5, 2.25], "timestamps": [1767225600000, 1767225660000]}, o
assert lines[0].startswith("{\"metric\":{\"__name__\":\"test_gauge\""), lines[0]
' "$OUT"; then
  pass "query jsonl: series object"
else
  fail "query jsonl: series object" "$(cat "$OUT")"
fi

run query --data "$D" --format jsonl '{__name__=~"test_inf|test_quotes"}'
expect_ok "query jsonl special values"
if python3 -c '
import json, sys
got = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    got[json.dumps(o["metric"], sort_keys=True)] = o["values"]
want = {
    json.dumps({"__name__": "test_inf", "sign": "pos"}, sort_keys=True): ["+Inf"],
    json.dumps({"__name__": "test_inf", "sign": "neg"}, sort_keys=True): ["-Inf"],
    json.dumps({"__name__": "test_quotes", "msg": "say \"hi\"", "nl": "a\nb",
                "path": "C:\\dir"}, sort_keys=True): [42],
}
assert got == want, got
' "$OUT"; then
  pass "query jsonl: infinities as strings, label escapes decoded"
else
  fail "query jsonl: infinities as strings, label escapes decoded" "$(cat "$OUT")"
fi

run query --data "$D" 'test_gauge{host="a"'
expect_one_line_error "query with a bad selector"
run query --data "$D" 'test_gauge{host=~"("}'
expect_one_line_error "query with a bad regex"
run query --data "$D" --start yesterday 'test_gauge'
expect_one_line_error "query with a bad --start"
run query --data "$D" --start 2000 --end 1000 'test_gauge'
expect_one_line_error "query with --start after --end"
run query --data "$D" --format xml 'test_gauge'
expect_one_line_error "query with a bad --format"
run query --data "$D"
expect_one_line_error "query without a selector"

# expect_error_with NAME TEXT: the last run failed with one line "vmengine: error: ..." that
# contains TEXT (fixed string), is under 1 KiB and holds no control byte.
expect_error_with() {
  local lines bytes
  lines=$(wc -l <"$ERR")
  bytes=$(wc -c <"$ERR")
  if [ "$RC" -ne 0 ] && [ "$lines" -eq 1 ] && grep -q '^vmengine: error: .' "$ERR" &&
    grep -qF -- "$2" "$ERR" && [ "$bytes" -lt 1024 ] &&
    ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$ERR"); then
    pass "$1"
  else
    fail "$1" "exit status $RC, $lines lines, $bytes bytes: $(head -c 600 "$ERR")"
  fi
}

# Selectors whose matchers all match "" select every series without the labels: an error, as
# in Prometheus; so is an empty selector.
for sel in '{duplex=""}' '{__name__=~".*"}' '{job!="x"}' '{}'; do
  run query --data "$D" "$sel"
  expect_error_with "query $sel is an error" "at least one non-empty matcher"
  run series-count --data "$D" "$sel"
  expect_error_with "series-count $sel is an error" "at least one non-empty matcher"
  run export --data "$D" "$sel"
  expect_error_with "export $sel is an error" "at least one non-empty matcher"
done
run query --data "$D" ''
expect_error_with "query '' is an error" "the selector is empty"
run export --data "$D" ''
expect_error_with "export '' is an error" "the selector is empty"
run series-count --data "$D" ''
expect_error_with "series-count '' is an error" "the selector is empty"
run query --data "$D" '{__name__=~".+",empty=""}'
expect_ok "query with a non-empty matcher and an empty one"
expect_eq "query {__name__=~\".+\",empty=\"\"}: series without the label" \
  "$(sorted_rows "$OUT" | wc -l | tr -d ' ')" "10"

# A regex nested 20 000 groups deep: Go's limit (1000) and message, not a stack overflow.
deep=$(python3 -c 'n = 20000; print("(" * n + "x|y" + ")" * n)')
run query --data "$D" "node_load1{foo=~\"$deep\"}"
expect_error_with "query with a regex nested 20000 deep" "expression nests too deeply"
run series-count --data "$D" "{foo=~\"$deep\"}"
expect_error_with "series-count with a regex nested 20000 deep" "expression nests too deeply"
ok_deep=$(python3 -c 'n = 1000; print("(" * n + "test_gauge" + ")" * n)')
run series-count --data "$D" "{__name__=~\"$ok_deep\"}"
expect_ok "a regex nested 1000 deep works"
expect_eq "a regex nested 1000 deep: series" "$(cat "$OUT")" "2"

# Messages quote little of the input and escape control and invalid UTF-8 bytes.
big=$(python3 -c 'print("(" + "a" * 100000)')
run query --data "$D" "up{a=~\"$big\"}"
expect_error_with "query with a 100 KB bad regex: short message" "more bytes"
run query --data "$D" "$(printf 'up{a=\"\\\001\377\"}')"
expect_error_with "query with control and invalid bytes: escaped" '\x01'
run query --data "$D" --start "$(printf 'x\033[31m\nred')" test_gauge
expect_error_with "--start with control bytes: escaped" '\x1b'

# ------------------------------------------------------------------------------------------
# Labels, series count, stats

run labels --data "$D"
expect_ok "labels"
expect_eq "labels: names" "$(cat "$OUT")" "$(printf '%s\n' __name__ dc host msg nl path sign)"
run labels --data "$D" host
expect_ok "labels host"
expect_eq "labels host: values" "$(cat "$OUT")" "$(printf '%s\n' a b)"
run labels --data "$D" __name__
expect_ok "labels __name__"
expect_eq "labels __name__: metric names" "$(cat "$OUT")" \
  "$(printf '%s\n' test_counter_total test_gauge test_inf test_quotes test_small)"

run labels --data "$D" nl
expect_ok "labels nl"
expect_eq "labels: a value with a newline is quoted on one line" "$(cat "$OUT")" '"a\nb"'
run labels --data "$D" msg
expect_eq "labels: a value without control bytes is printed as it is" "$(cat "$OUT")" 'say "hi"'

run series-count --data "$D"
expect_ok "series-count"
expect_eq "series-count: all" "$(cat "$OUT")" "7"
run series-count --data "$D" 'test_gauge'
expect_ok "series-count with a selector"
expect_eq "series-count: test_gauge" "$(cat "$OUT")" "2"
run series-count --data "$D" '{__name__=~"test_.*",sign!=""}'
expect_ok "series-count with matchers"
expect_eq "series-count: series with a sign" "$(cat "$OUT")" "2"

run stats --data "$D" --format json
expect_ok "stats json"
if python3 -c 'import json,sys; o = json.load(sys.stdin); assert isinstance(o, dict) and o, o' <"$OUT"; then
  pass "stats json: a non-empty JSON object"
else
  fail "stats json: a non-empty JSON object" "$(cat "$OUT")"
fi
run stats --data "$D"
expect_ok "stats text"
if [ -s "$OUT" ] && awk 'NF != 2 { bad = 1 } END { exit bad }' "$OUT"; then
  pass "stats text: name value lines"
else
  fail "stats text: name value lines" "$(cat "$OUT")"
fi

# ------------------------------------------------------------------------------------------
# Malformed lines

(cd "$TMP" && "$BIN" import --data d_bad bad.prom >"$OUT" 2>"$ERR")
RC=$?
expect_ok "import with malformed lines"
if grep -q '^bad.prom:2: .' "$ERR" && grep -q '^bad.prom:4: .' "$ERR" &&
  [ "$(wc -l <"$ERR")" -eq 2 ]; then
  pass "malformed lines reported as FILE:LINE: reason"
else
  fail "malformed lines reported as FILE:LINE: reason" "$(cat "$ERR")"
fi
expect_eq "malformed: rejected lines" "$(summary 'rejected lines' "$OUT")" "2"
expect_eq "malformed: rows imported" "$(summary 'rows imported' "$OUT")" "2"

(cd "$TMP" && "$BIN" import --data d_strict --strict bad.prom >"$OUT" 2>"$ERR")
RC=$?
expect_one_line_error "import --strict fails"
if grep -q '^vmengine: error: bad.prom:2: .' "$ERR"; then
  pass "import --strict names the first malformed line"
else
  fail "import --strict names the first malformed line" "$(cat "$ERR")"
fi

# Rows the engine rejects (not the parser) are reported with their line numbers too, and
# --strict fails on them: line 2 is NaN, line 3 lies 10 years in the future.
printf '%s\n' 'eng_ok{a="1"} 1 1767225600000' 'eng_nan{a="2"} NaN 1767225600000' \
  'eng_future{a="3"} 1 2082758400000' 'eng_ok{a="4"} 4 1767225600000' >"$TMP/engine.prom"
run import --data "$TMP/d_engine" "$TMP/engine.prom"
expect_ok "import: engine rejections are not an error without --strict"
if grep -q 'engine.prom:2: row rejected: NaN' "$ERR" &&
  grep -q 'engine.prom:3: row rejected: timestamp more than 2 days in the future' "$ERR" &&
  [ "$(wc -l <"$ERR")" -eq 2 ]; then
  pass "import: engine-rejected rows reported as FILE:LINE: reason"
else
  fail "import: engine-rejected rows reported as FILE:LINE: reason" "$(cat "$ERR")"
fi
expect_eq "import: engine rejections: rows imported" "$(summary 'rows imported' "$OUT")" "2"
expect_eq "import: engine rejections: rows rejected" "$(summary 'rows rejected' "$OUT")" "2"
run import --data "$TMP/d_engine_strict" --strict "$TMP/engine.prom"
if [ "$RC" -ne 0 ] && grep -q 'engine.prom:2: row rejected: NaN' "$ERR" &&
  grep -q 'engine.prom:3: row rejected' "$ERR" &&
  grep -q '^vmengine: error: 2 row(s) rejected by the engine (first: .*engine.prom:2: ' "$ERR"; then
  pass "import --strict fails when the engine rejects rows, naming every one"
else
  fail "import --strict fails when the engine rejects rows, naming every one" \
    "exit status $RC; stderr: $(cat "$ERR")"
fi

# Unknown escapes in label values are kept as they are (Prometheus, VictoriaMetrics).
printf '%s\n' 'esc_metric{a="x\ty",b="\d+"} 1 1767225600000' >"$TMP/escapes.prom"
run import --data "$TMP/d_escapes" --strict "$TMP/escapes.prom"
expect_ok "import: an unknown escape is not an error"
expect_eq "import: unknown escape: rows imported" "$(summary 'rows imported' "$OUT")" "1"
run labels --data "$TMP/d_escapes" a
expect_eq "import: unknown escape kept verbatim" "$(cat "$OUT")" 'x\ty'
run labels --data "$TMP/d_escapes" b
expect_eq "import: unknown escape kept verbatim (regex-like)" "$(cat "$OUT")" '\d+'

# Every rejected line is reported with its line number, however many there are.
python3 -c '
import sys
for i in range(1, 301):
    print("ok_metric %d 1767225600000" % i if i % 2 else "bad metric %d" % i)
' >"$TMP/many_bad.prom"
(cd "$TMP" && "$BIN" import --data d_many_bad many_bad.prom >"$OUT" 2>"$ERR")
RC=$?
expect_ok "import with 150 malformed lines"
expect_eq "every malformed line is reported" "$(grep -c '^many_bad.prom:[0-9]*: .' "$ERR")" "150"
expect_eq "the last malformed line is reported with its number" \
  "$(grep -c '^many_bad.prom:300: ' "$ERR")" "1"
expect_eq "150 malformed: rejected lines" "$(summary 'rejected lines' "$OUT")" "150"

# ------------------------------------------------------------------------------------------
# Golden data written by VictoriaMetrics 1.72

for set in small special; do
  src=$ROOT/tests/data/vm172/$set
  if [ ! -d "$src/storage" ]; then
    fail "golden $set: $src/storage exists"
    continue
  fi
  cp -r "$src/storage" "$TMP/golden_$set"
  chmod -R u+w "$TMP/golden_$set"
  run export --data "$TMP/golden_$set" --format csv
  expect_ok "golden $set: export"
  expect_eq "golden $set: header" "$(head -n 1 "$OUT")" "$(head -n 1 "$src/expected.csv")"
  sorted_rows "$OUT" >"$TMP/got.sorted"
  sorted_rows "$src/expected.csv" >"$TMP/want.sorted"
  expect_same_file "golden $set: rows equal expected.csv" "$TMP/got.sorted" "$TMP/want.sorted"
done

# ------------------------------------------------------------------------------------------
# The node_exporter capture (.zst, 507 series x 1200 scrapes)

NODE=$ROOT/examples/data/node_exporter_1s_1200.prom.zst
if [ -f "$NODE" ]; then
  run import --data "$TMP/d_node" "$NODE"
  expect_ok "node_exporter: import"
  expect_eq "node_exporter: rows imported" "$(summary 'rows imported' "$OUT")" "608400"
  expect_eq "node_exporter: series" "$(summary 'series' "$OUT")" "507"
  expect_eq "node_exporter: rejected lines" "$(summary 'rejected lines' "$OUT")" "0"
  run series-count --data "$TMP/d_node"
  expect_eq "node_exporter: series-count" "$(cat "$OUT")" "507"
  rows=$("$BIN" export --data "$TMP/d_node" | wc -l | tr -d ' ')
  expect_eq "node_exporter: exported rows (with header)" "$rows" "608401"
else
  fail "node_exporter capture exists at $NODE"
fi

# ------------------------------------------------------------------------------------------
# Maintenance: force-merge, delete, snapshots

for cmd in force-merge delete snapshot "snapshot create" "snapshot list" "snapshot delete"; do
  # shellcheck disable=SC2086
  run $cmd --help
  if [ "$RC" -eq 0 ] && grep -q 'Usage' "$OUT"; then
    pass "$cmd --help"
  else
    fail "$cmd --help" "exit status $RC: $(cat "$OUT" "$ERR")"
  fi
done

# missing_dir_error NAME ARGS...: fails with one line naming the missing directory.
missing_dir_error() {
  local name=$1
  shift
  run "$@"
  if [ "$RC" -ne 0 ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
    grep -q "^vmengine: error: data directory .*d_missing\"\? does not exist" "$ERR"; then
    pass "$name"
  else
    fail "$name" "exit status $RC: $(cat "$ERR")"
  fi
}
missing_dir_error "export of a missing data directory" export --data "$TMP/d_missing"
missing_dir_error "query of a missing data directory" query --data "$TMP/d_missing" up
missing_dir_error "labels of a missing data directory" labels --data "$TMP/d_missing"
missing_dir_error "series-count of a missing data directory" series-count --data "$TMP/d_missing"
missing_dir_error "stats of a missing data directory" stats --data "$TMP/d_missing"
run export --data "$TMP/d_missing" --read-only
if [ "$RC" -ne 0 ] && grep -q "no data directory at .*d_missing (a read-only open never creates one)" "$ERR" && [ ! -e "$TMP/d_missing" ]; then
  pass "export --read-only of a missing data directory: not found"
else
  fail "export --read-only of a missing data directory: not found" "exit status $RC: $(cat "$ERR")"
fi
missing_dir_error "force-merge of a missing data directory" force-merge --data "$TMP/d_missing"
missing_dir_error "delete in a missing data directory" delete --data "$TMP/d_missing" up
missing_dir_error "snapshot create in a missing data directory" \
  snapshot create --data "$TMP/d_missing"
missing_dir_error "snapshot list in a missing data directory" snapshot list --data "$TMP/d_missing"
missing_dir_error "snapshot delete in a missing data directory" \
  snapshot delete --data "$TMP/d_missing" 20260101000000-0123456789ABCDEF
if [ -e "$TMP/d_missing" ]; then
  fail "maintenance commands do not create a missing data directory"
else
  pass "maintenance commands do not create a missing data directory"
fi

# parts_per_partition STATS_JSON: "YYYY_MM=N" per partition, N = in-memory + small + big parts.
parts_per_partition() {
  python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
parts = {}
for k, v in o.items():
    f = k.split(".")
    if len(f) == 3 and f[0] == "partition" and f[2] in ("inmemory_parts", "small_parts", "big_parts"):
        parts[f[1]] = parts.get(f[1], 0) + v
print(" ".join("%s=%d" % kv for kv in sorted(parts.items())))
' "$1"
}

# Two imports of halves of the sample give a partition 2026_01 with at least two parts.
grep -v '^#' "$TMP/sample.prom" | grep . >"$TMP/sample.lines"
head -n 6 "$TMP/sample.lines" >"$TMP/sample_a.prom"
tail -n +7 "$TMP/sample.lines" >"$TMP/sample_b.prom"
FM=$TMP/d_force_merge
run import --data "$FM" "$TMP/sample_a.prom"
expect_ok "force-merge: import first half"
run import --data "$FM" "$TMP/sample_b.prom"
expect_ok "force-merge: import second half"
run export --data "$FM"
cp "$OUT" "$TMP/fm_before.csv"
sorted_rows "$OUT" >"$TMP/got.sorted"
expect_same_file "force-merge: both halves exported" "$TMP/got.sorted" "$TMP/expected.sorted"
run stats --data "$FM" --format json
before_parts=$(parts_per_partition "$OUT")
case $before_parts in
  2026_01=[2-9]* | 2026_01=[1-9][0-9]*) pass "force-merge: several parts before ($before_parts)" ;;
  *) fail "force-merge: several parts before" "$before_parts" ;;
esac
run force-merge --data "$FM" --partition 2025
expect_ok "force-merge of a partition prefix without partitions"
expect_eq "force-merge --partition 2025: 2026_01 untouched" \
  "$("$BIN" stats --data "$FM" --format json >"$TMP/stats.json" && parts_per_partition "$TMP/stats.json")" \
  "$before_parts"
run force-merge --data "$FM"
expect_ok "force-merge"
if grep -Eq '^force-merged all partitions: parts before: [0-9]+, after: 1$' "$OUT" &&
  [ "$(wc -l <"$OUT")" -eq 1 ]; then
  pass "force-merge: one-line summary"
else
  fail "force-merge: one-line summary" "$(cat "$OUT")"
fi
run export --data "$FM"
expect_same_file "force-merge: export identical" "$OUT" "$TMP/fm_before.csv"
run stats --data "$FM" --format json
expect_eq "force-merge: one part per partition" "$(parts_per_partition "$OUT")" "2026_01=1"
run force-merge --data "$FM" --partition 2026_01
expect_ok "force-merge --partition 2026_01"
expect_eq "force-merge --partition 2026_01: summary" "$(cat "$OUT")" \
  "force-merged partitions 2026_01*: parts before: 1, after: 1"

if [ -d "$TMP/d_node" ]; then
  "$BIN" export --data "$TMP/d_node" >"$TMP/node_before.csv" 2>"$ERR"
  run force-merge --data "$TMP/d_node"
  expect_ok "node_exporter: force-merge"
  "$BIN" export --data "$TMP/d_node" >"$TMP/node_after.csv" 2>"$ERR"
  if cmp -s "$TMP/node_before.csv" "$TMP/node_after.csv"; then
    pass "node_exporter: force-merge keeps the export identical"
  else
    fail "node_exporter: force-merge keeps the export identical"
  fi
  rm -f "$TMP/node_before.csv" "$TMP/node_after.csv"
  run stats --data "$TMP/d_node" --format json
  got=$(parts_per_partition "$OUT")
  if [ -n "$got" ] && ! printf '%s\n' $got | grep -vq '=1$'; then
    pass "node_exporter: one part per partition after force-merge"
  else
    fail "node_exporter: one part per partition after force-merge" "$got"
  fi
fi

# delete
DEL=$TMP/d_delete
cp -r "$D" "$DEL"
run delete --data "$DEL" 'test_gauge{host="a"}'
expect_ok "delete"
expect_eq "delete: one series deleted" "$(cat "$OUT")" "1"
run export --data "$DEL"
sorted_rows "$OUT" >"$TMP/got.sorted"
grep -v '^"test_gauge{dc=""x"",host=""a""}"' "$TMP/expected.sorted" >"$TMP/want.sorted"
expect_same_file "delete: series gone from export" "$TMP/got.sorted" "$TMP/want.sorted"
run series-count --data "$DEL"
expect_eq "delete: series-count" "$(cat "$OUT")" "6"
run series-count --data "$DEL" 'test_gauge'
expect_eq "delete: series-count test_gauge" "$(cat "$OUT")" "1"
run delete --data "$DEL" 'test_gauge{host="a"}'
expect_ok "delete again"
expect_eq "delete again: nothing deleted" "$(cat "$OUT")" "0"
run delete --data "$DEL" '{__name__=~"test_inf|test_small"}'
expect_eq "delete with a regex: three series" "$(cat "$OUT")" "3"
run force-merge --data "$DEL"
expect_ok "delete: force-merge afterwards"
run export --data "$DEL"
sorted_rows "$OUT" >"$TMP/got.sorted"
grep -Ev '^"?test_(gauge\{dc=""x"",host=""a""\}|inf|small)' "$TMP/expected.sorted" \
  >"$TMP/want.sorted"
expect_same_file "delete: export after force-merge" "$TMP/got.sorted" "$TMP/want.sorted"
run series-count --data "$DEL"
expect_eq "delete: series-count after force-merge" "$(cat "$OUT")" "3"
run delete --data "$DEL" 'test_gauge{host="a"'
expect_one_line_error "delete with a bad selector"
run delete --data "$DEL"
expect_one_line_error "delete without a selector"
before=$("$BIN" series-count --data "$DEL")
for sel in '{a=""}' '{__name__=~".*"}' '{job!="x"}' ''; do
  run delete --data "$DEL" "$sel"
  expect_error_with "delete '$sel' is an error" "selector"
  expect_eq "delete '$sel' deletes nothing" "$("$BIN" series-count --data "$DEL")" "$before"
done

# snapshots
SNAP=$TMP/d_snapshot
cp -r "$D" "$SNAP"
run snapshot --data "$SNAP"
expect_one_line_error "snapshot without a subcommand"
run snapshot delete --data "$SNAP" ../x
expect_one_line_error "snapshot delete of an invalid name (../x)"
run snapshot create --data "$SNAP"
expect_ok "snapshot create"
name=$(cat "$OUT")
if printf '%s\n' "$name" | grep -Eq '^[0-9]{14}-[0-9A-Fa-f]+$'; then
  pass "snapshot create: prints the name ($name)"
else
  fail "snapshot create: prints the name" "$name"
fi
if [ -n "$name" ] && [ -d "$SNAP/snapshots/$name" ]; then
  pass "snapshot create: DIR/snapshots/NAME exists"
else
  fail "snapshot create: DIR/snapshots/NAME exists" "$(ls -la "$SNAP/snapshots" 2>&1)"
fi
run snapshot create --data "$SNAP"
expect_ok "snapshot create, second"
name2=$(cat "$OUT")
run snapshot list --data "$SNAP"
expect_ok "snapshot list"
expect_eq "snapshot list: both names, sorted" "$(cat "$OUT")" \
  "$(printf '%s\n' "$name" "$name2" | sort)"
if [ -n "$name" ] && [ -d "$SNAP/snapshots/$name" ]; then
  cp -rL "$SNAP/snapshots/$name" "$TMP/d_from_snapshot"
  run export --data "$TMP/d_from_snapshot"
  sorted_rows "$OUT" >"$TMP/got.sorted"
  expect_same_file "snapshot: a copy of it exports the data" "$TMP/got.sorted" \
    "$TMP/expected.sorted"
fi
run snapshot delete --data "$SNAP" "$name"
expect_ok "snapshot delete"
expect_eq "snapshot delete: no output" "$(cat "$OUT")" ""
run snapshot list --data "$SNAP"
expect_eq "snapshot list after delete" "$(cat "$OUT")" "$name2"
if [ -e "$SNAP/snapshots/$name" ]; then
  fail "snapshot delete: directory removed"
else
  pass "snapshot delete: directory removed"
fi
run snapshot delete --data "$SNAP" "$name"
expect_one_line_error "snapshot delete of a deleted snapshot"
run snapshot delete --data "$SNAP" "$name2"
expect_ok "snapshot delete, second"
run snapshot list --data "$SNAP"
expect_ok "snapshot list, empty"
expect_eq "snapshot list: empty" "$(cat "$OUT")" ""
run export --data "$SNAP"
sorted_rows "$OUT" >"$TMP/got.sorted"
expect_same_file "snapshot: data directory unchanged" "$TMP/got.sorted" "$TMP/expected.sorted"

# ------------------------------------------------------------------------------------------
# check: clean directories (ours and VictoriaMetrics 1.72's), JSON output, a corrupt part found
# and quarantined by --repair, exit statuses 0 (clean), 1 (problems), 2 (cannot check), usage.

tree_state() {
  (cd "$1" && find . -printf '%p %y %s %T@\n' | sort)
}

CHK=$TMP/check_db
run import --data "$CHK" "$TMP/sample.prom"
expect_ok "check: import"
tree_state "$CHK" >"$TMP/check_tree_before"
run check --data "$CHK"
expect_ok "check: clean directory exits 0"
if grep -q '^result: clean$' "$OUT" && grep -q '^data part data/small/2026_01/.*: ok (' "$OUT" &&
  grep -q '^indexdb part indexdb/.*: ok (' "$OUT"; then
  pass "check: text report lists the parts"
else
  fail "check: text report lists the parts" "$(cat "$OUT")"
fi
tree_state "$CHK" >"$TMP/check_tree_after"
expect_same_file "check: writes nothing" "$TMP/check_tree_after" "$TMP/check_tree_before"

run check --data "$CHK" --format json
expect_ok "check --format json: exit 0"
if python3 -m json.tool "$OUT" >/dev/null 2>&1; then
  pass "check --format json: parses"
else
  fail "check --format json: parses" "$(head -c 2000 "$OUT")"
fi
expect_eq "check --format json: shape" "$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(j["ok"], j["summary"]["problems"], sorted(j["parts"][0]), j["problems"], j["repairs"])
' "$OUT")" "True 0 ['blocks', 'checksums_verified', 'kind', 'ok', 'path', 'problems', 'rows'] [] []"

cp -r "$ROOT/tests/data/vm172/small/storage" "$TMP/check_vm"
run check --data "$TMP/check_vm"
expect_ok "check: VictoriaMetrics 1.72 directory is clean"
expect_eq "check: VictoriaMetrics 1.72 summary" "$(grep -c '^data part .*: ok' "$OUT")" "4"

# A flipped first byte of a data part's index.bin.
part=$(find "$CHK/data/small" -mindepth 2 -maxdepth 2 -type d -name '*_*_*_*_*' | head -n 1)
rel=${part#"$CHK"/}
printf '\xff' | dd of="$part/index.bin" bs=1 count=1 conv=notrunc status=none
run check --data "$CHK"
expect_eq "check: a corrupt part exits 1" "$RC" "1"
if grep -q "^  problem: $rel/index.bin at offset 0: " "$OUT" && grep -q '^result: PROBLEMS FOUND$' "$OUT"; then
  pass "check: the problem names the part, file and offset"
else
  fail "check: the problem names the part, file and offset" "$(cat "$OUT")"
fi
run check --data "$CHK" --format json
expect_eq "check --format json: the problem" "$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
bad = [p for p in j["parts"] if not p["ok"]]
print(j["ok"], len(bad), bad[0]["path"], bad[0]["problems"][0]["file"], bad[0]["problems"][0]["offset"])
' "$OUT")" "False 1 $rel index.bin 0"
run check --data "$CHK" --repair
expect_ok "check --repair: exits 0 once repaired"
if grep -q "^repaired: moved part $part to $CHK/quarantine/$rel " "$OUT" &&
  [ -f "$CHK/quarantine/$rel/index.bin" ] && [ ! -e "$part" ]; then
  pass "check --repair: the part is in quarantine/"
else
  fail "check --repair: the part is in quarantine/" "$(cat "$OUT")"
fi
run check --data "$CHK"
expect_ok "check: clean after --repair"
run series-count --data "$CHK" --read-only
expect_ok "check: the repaired directory opens"

run check --data "$TMP/no_such_dir"
expect_eq "check: a missing directory exits 2" "$RC" "2"
expect_one_line_error "check: a missing directory is one error line"
run check --data "$CHK" --format yaml
if [ "$RC" -ne 0 ] && [ "$RC" -ne 1 ] && [ "$RC" -ne 2 ]; then
  pass "check: a usage error has its own exit status ($RC)"
else
  fail "check: a usage error has its own exit status" "exit status $RC"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
