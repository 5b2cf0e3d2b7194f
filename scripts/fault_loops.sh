#!/usr/bin/env bash
# Fault-injection loops (docs/fault-loops.md): the kill -9 loop for each wal_mode and the
# flipped-bytes loop, on the programs of tests/fault/.
#
# Usage: scripts/fault_loops.sh [options] BUILD_DIR [FLIP_BUILD_DIR]
#   BUILD_DIR        build with tests/fault/ (CI: build/, Release) for the kill loops
#   FLIP_BUILD_DIR   build for the flipped-bytes loop (CI: build-asan/); default BUILD_DIR
# Options:
#   --loops LIST            kill, flip or kill,flip (default)
#   --modes LIST            wal modes of the kill loop (default sync,async,off)
#   --kill-iterations N     kill -9 iterations per mode (default 50)
#   --flip-iterations N     flipped-bytes iterations (default 40)
#   --measure-window        kill loop only, modes off,async by default, 12 iterations each:
#                           default flush intervals, no vme_flush, kill delays of 0.5-15 s; prints
#                           the loss windows (not for CI: it takes about 5 minutes)
#   --allow-wrong-answers   flip loop: count wrong answers without failing (before checksums)
#   --seed N                seed of every random choice (default: from the clock; printed)
#   --work DIR              work directory (default: a new one under ${TMPDIR:-/tmp}); kept on
#                           failure, removed on success unless --keep
#   --keep                  keep the work directory
# Prints one summary line per loop and exits 1 on any violation, naming the directory that
# keeps the failing data directory (as it was before the reopen) and the programs' logs.
set -uo pipefail

loops=kill,flip
modes=""
kill_iterations=50
flip_iterations=40
measure=0
allow_wrong=0
seed=""
work=""
keep=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --loops) loops=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --kill-iterations) kill_iterations=$2; shift 2 ;;
    --flip-iterations) flip_iterations=$2; shift 2 ;;
    --measure-window) measure=1; shift ;;
    --allow-wrong-answers) allow_wrong=1; shift ;;
    --seed) seed=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "fault_loops: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $# -lt 1 || $# -gt 2 ]]; then
  sed -n '2,24p' "$0" >&2
  exit 2
fi
build=$(cd "$1" && pwd) || exit 2
flip_build=$(cd "${2:-$1}" && pwd) || exit 2
if [[ $measure == 1 ]]; then
  loops=kill
  [[ -n $modes ]] || modes=off,async
  [[ $kill_iterations != 50 ]] || kill_iterations=12
fi
[[ -n $modes ]] || modes=sync,async,off
[[ -n $seed ]] || seed=$(( $(date +%s%N) % 1000000007 ))
RANDOM=$seed
echo "fault_loops: seed $seed (--seed $seed repeats the random choices)"
if [[ -z $work ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/fault_loops.XXXXXX")
else
  mkdir -p "$work"
fi
failures=0

fail_keep() {  # fail_keep DIR WHAT: keeps DIR under $work/failures and counts a violation
  local dest="$work/failures/$(basename "$(dirname "$1")")-$(basename "$1")"
  mkdir -p "$work/failures"
  mv "$1" "$dest"
  echo "fault_loops: VIOLATION ($2); kept in $dest" >&2
  failures=$((failures + 1))
}

rand_ms() {  # rand_ms MIN MAX: a random number of milliseconds
  echo $(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1) ))
}

# ---- kill -9 loop --------------------------------------------------------------------------

kill_loop() {  # kill_loop MODE
  local mode=$1 child="$build/tests/fault/fault_kill_child" check="$build/tests/fault/fault_kill_check"
  local probe
  if ! probe=$("$child" --probe --wal-mode "$mode" 2>&1); then
    echo "kill-loop wal_mode=$mode: FAILED: the engine has no wal_mode=$mode ($probe)"
    failures=$((failures + 1))
    return
  fi
  local chain_len=5 min_ms=100 max_ms=1500 pace=5000 extra=()
  if [[ $measure == 1 ]]; then
    chain_len=1 min_ms=500 max_ms=15000 extra=(--measure)
  fi
  local base="$work/kill-$mode" chain="" k=0 runs=() i
  local n_acked=0 n_rows=0 n_lost=0 n_lost_rows=0 n_partial=0 n_dup=0 n_before_open=0 n_holes=0
  local windows=() n_viol_before=$failures
  for ((i = 0; i < kill_iterations; i++)); do
    if [[ -z $chain || $k -ge $chain_len ]]; then
      chain="$base/chain$i" k=0 runs=()
      mkdir -p "$chain"
    fi
    local run="$chain/run$k" writers=$((1 + RANDOM % 3)) delay_ms
    delay_ms=$(rand_ms $min_ms $max_ms)
    mkdir -p "$run"
    echo "$k $writers" >"$run/params"
    "$child" --db "$chain/db" --log "$run" --wal-mode "$mode" --writers "$writers" \
      --iteration "$k" --seed "$((seed + i))" --pace-us "$pace" "${extra[@]}" \
      >"$run/child.log" 2>&1 &
    local pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    local now=$EPOCHREALTIME
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local rc=$?
    echo "${now/./}000" >"$run/kill_ns"
    echo "$delay_ms" >"$run/delay_ms"
    runs+=(--run "$run")
    k=$((k + 1))
    if [[ $rc != 137 ]]; then
      fail_keep "$chain" "wal_mode=$mode iteration $i: the child exited by itself (status $rc) before the kill"
      chain=""
      continue
    fi
    cp -a "$chain/db" "$run/db-before-check" 2>/dev/null || true
    timeout -k 10 900 "$check" --db "$chain/db" --wal-mode "$mode" "${runs[@]}" >"$run/check.log" 2>&1
    rc=$?
    local line
    line=$(grep '^kill-check:' "$run/check.log" | tail -1)
    if [[ $rc != 0 || -z $line ]]; then
      fail_keep "$chain" "wal_mode=$mode iteration $i: checker status $rc: $(grep -m1 VIOLATION "$run/check.log")"
      chain=""
      continue
    fi
    rm -rf "$run/db-before-check"
    local -A f=()
    local kv
    for kv in ${line#kill-check: }; do f[${kv%%=*}]=${kv#*=}; done
    n_acked=$((n_acked + f[acked_batches]))
    n_rows=$((n_rows + f[acked_rows]))
    n_lost=$((n_lost + f[lost_batches]))
    n_lost_rows=$((n_lost_rows + f[lost_rows]))
    n_partial=$((n_partial + f[partial_batches]))
    n_dup=$((n_dup + f[dup_rows]))
    [[ ${f[writers_with_holes]} == 0 ]] || n_holes=$((n_holes + 1))
    [[ ${f[opened]} == 1 ]] || n_before_open=$((n_before_open + 1))
    [[ ${f[loss_window_ms]} == -1.0 ]] || windows+=("${f[loss_window_ms]}")
    if [[ $measure == 1 ]]; then
      echo "  wal_mode=$mode kill after ${delay_ms} ms: ${line#kill-check: }"
    fi
    unset f
  done
  local wmax="none" wmed="none"
  if [[ ${#windows[@]} -gt 0 ]]; then
    wmax=$(printf '%s\n' "${windows[@]}" | sort -g | tail -1)
    wmed=$(printf '%s\n' "${windows[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  fi
  echo "kill-loop wal_mode=$mode: iterations=$kill_iterations killed_before_open=$n_before_open" \
    "acked_batches=$n_acked acked_rows=$n_rows lost_batches=$n_lost lost_rows=$n_lost_rows" \
    "partial_batches=$n_partial duplicated_rows=$n_dup runs_with_loss=${#windows[@]}" \
    "runs_with_holes=$n_holes" \
    "loss_window_ms_max=$wmax loss_window_ms_median=$wmed violations=$((failures - n_viol_before))"
}

# ---- main ----------------------------------------------------------------------------------

if [[ ,$loops, == *,kill,* ]]; then
  for mode in ${modes//,/ }; do kill_loop "$mode"; done
fi
if [[ ,$loops, == *,flip,* ]]; then
  flip_loop
fi

if [[ $failures -gt 0 ]]; then
  echo "fault_loops: $failures violation(s); failing data directories and logs in $work/failures"
  exit 1
fi
if [[ $keep == 0 ]]; then rm -rf "$work"; else echo "fault_loops: work directory $work"; fi
exit 0
