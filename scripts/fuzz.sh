#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ into build-fuzz/ with clang (library and targets under
# AddressSanitizer + UndefinedBehaviorSanitizer, the library with -fsanitize=fuzzer-no-link) and
# runs each target for SECONDS (default 30), FUZZ_JOBS (default 2) at a time, starting from its
# seed corpus fuzz/corpus/<name>/. Prints one line per target: name, executions, exec/s,
# result. Exits non-zero if any target found a crash, leak, timeout or out-of-memory; the input
# that caused it is kept under build-fuzz/crashes/ (docs/fuzzing.md: turning it into a
# regression input).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 600 data_part
#
# Environment: BUILD_DIR (default build-fuzz), FUZZ_JOBS (parallel targets, default 2),
# JOBS (build jobs, default 2), VME_WERROR (ON: -Werror), FUZZ_ARGS (extra libFuzzer flags).
# New inputs a run finds are kept in build-fuzz/corpus/<name>/ (not in the repository; see
# docs/fuzzing.md for merging them into the seeds). Every target also runs over its seeds and
# regression inputs in the normal CTest suite (fuzz_regressions_test), built with gcc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
shift || true
build=${BUILD_DIR:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-2}
case "$seconds" in '' | *[!0-9]*)
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]; SECONDS must be a whole number" >&2
  exit 2 ;;
esac
case "${VME_WERROR:-OFF}" in
  ON | on | On | 1 | TRUE | true | YES | yes) werror=ON ;;
  *) werror=OFF ;;
esac
for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (scripts/setup.sh installs it)" >&2; exit 1; }
done
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

start=$(date +%s)
# -O1 with line tables: what libFuzzer builds usually use (fast to build, precise stacks);
# assertions stay on (no NDEBUG).
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only" "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" \
  -DVME_FUZZ=ON "-DVME_SANITIZE=address;undefined;fuzzer-no-link" -DVME_WERROR="$werror" \
  -DVME_BUILD_TESTS=OFF -DVME_BUILD_TOOLS=OFF -DVME_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target fuzz_targets
built=$(date +%s)

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$root"/fuzz/targets/*_fuzz.cc; do
    n=$(basename "$f" .cc)
    targets+=("${n%_fuzz}")
  done
fi
for t in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/${t}_fuzz" ]; then echo "fuzz: no target $t ($build/fuzz/${t}_fuzz)" >&2; exit 2; fi
  if [ ! -d "$root/fuzz/corpus/$t" ]; then echo "fuzz: no seed corpus fuzz/corpus/$t" >&2; exit 2; fi
done

mkdir -p "$build/crashes" "$build/logs" "$build/corpus"
# Part targets write their files under TMPDIR: a private directory, in memory when possible.
tmp_base=/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp_base=/dev/shm; fi
scratch=$(mktemp -d "$tmp_base/vme-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

symbolizer=$(command -v llvm-symbolizer || true)
run_one() {
  local t=$1 rc=0
  mkdir -p "$build/corpus/$t" "$scratch/$t"
  # shellcheck disable=SC2086
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" TMPDIR="$scratch/$t" \
    "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 \
    -rss_limit_mb=2048 -artifact_prefix="$build/crashes/${t}-" ${FUZZ_ARGS:-} \
    "$build/corpus/$t" "$root/fuzz/corpus/$t" >"$build/logs/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$build/logs/$t.rc"
}

running=0
for t in "${targets[@]}"; do
  rm -f "$build/logs/$t.rc"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

status=0
printf '%-16s %12s %8s  %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  log="$build/logs/$t.log"
  rc=$(cat "$build/logs/$t.rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$rc" = 0 ]; then
    result=ok
  else
    status=1
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then result=timeout
    elif grep -q 'ERROR: libFuzzer: out-of-memory\|allocation-size-too-big\|out of memory' "$log"; then result=oom
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then result=leak
    else result=crash
    fi
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    result="$result (input: ${artifact:-none}; log: $log)"
  fi
  printf '%-16s %12s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$result"
done
end=$(date +%s)
echo "fuzz: build $((built - start)) s, fuzzing $((end - built)) s, ${#targets[@]} targets x ${seconds} s, $jobs at a time"
if [ "$status" -ne 0 ]; then
  echo "fuzz: FAILED; reproduce with: $build/fuzz/<target>_fuzz <input>; see docs/fuzzing.md" >&2
fi
exit "$status"
