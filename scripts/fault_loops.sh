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
#   --flip-iterations N     flipped-bytes iterations (default 60)
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
flip_iterations=60
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

rand_ms() {  # rand_ms MIN MAX: sets REPLY to a random number of milliseconds (no subshell,
             # so that $RANDOM's sequence, seeded with --seed, advances in this shell)
  REPLY=$(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1) ))
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
    rand_ms $min_ms $max_ms
    delay_ms=$REPLY
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
    local -A f=()
    local kv
    for kv in ${line#kill-check: }; do f[${kv%%=*}]=${kv#*=}; done
    if [[ -n $line ]]; then
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
    fi
    unset f
    if [[ $rc != 0 || -z $line ]]; then
      fail_keep "$chain" "wal_mode=$mode iteration $i: checker status $rc: $(grep -m1 VIOLATION "$run/check.log")"
      chain=""
      continue
    fi
    rm -rf "$run/db-before-check"
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

# ---- flipped-bytes loop --------------------------------------------------------------------

flip_loop() {
  local prog="$flip_build/tests/fault/fault_flip" base="$work/flip" i rc
  # Sanitizer reports end the program with status 23: a crash, whatever the checker thought.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:exitcode=23
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1:exitcode=23
  mkdir -p "$base"
  if ! "$prog" build --db "$base/db" --wal-mode sync --manifest "$base/manifest" >"$base/build.log" 2>&1; then
    echo "flip-loop: FAILED: building the data directory failed: $(tail -1 "$base/build.log")"
    failures=$((failures + 1))
    return
  fi
  cp -a "$base/db" "$base/pristine"
  if ! timeout -k 10 300 "$prog" check --db "$base/pristine" --manifest "$base/manifest" \
      >"$base/pristine.log" 2>&1 || ! grep -q '^outcome=exact' "$base/pristine.log"; then
    echo "flip-loop: FAILED: the unflipped data directory does not read back exactly ($base/pristine.log)"
    failures=$((failures + 1))
    return
  fi
  local -A n=([exact]=0 [error]=0 [quarantined]=0 [wal_cut]=0 [wrong]=0 [bad_error]=0 [crash]=0 [hang]=0)
  local quarantine_unsupported=0 n_viol_before=$failures flips=0 error_q=0 retried=0
  for ((i = 0; i < flip_iterations; i++)); do
    local it="$base/it$i" q=()
    mkdir -p "$it"
    cp -a "$base/db" "$it/db"
    "$prog" flip --db "$it/db" --seed "$((seed + 1000 + i))" --log "$it/flips" || {
      fail_keep "$it" "flip-loop iteration $i: flipping failed"; continue; }
    flips=$((flips + $(wc -l <"$it/flips")))
    cp -a "$it/db" "$it/db-before-check"
    [[ $((i % 2)) == 1 ]] && q=(--quarantine)
    timeout -k 10 300 "$prog" check --db "$it/db" --manifest "$base/manifest" --flips "$it/flips" \
      "${q[@]}" >"$it/check.log" 2>&1
    rc=$?
    grep -q '^quarantine=unsupported' "$it/check.log" && quarantine_unsupported=$((quarantine_unsupported + 1))
    local outcome
    outcome=$(sed -n 's/^outcome=\([a-z_]*\).*/\1/p' "$it/check.log" | tail -1)
    echo "it$i status=$rc outcome=${outcome:-none} ${q[*]} flipped: $(awk '{print $1}' "$it/flips" | sed -E 's|/[0-9]+_[0-9]+_[^/]+/|/<part>/|' | sort | uniq -c | awk '{printf "%s%s ", ($1>1?$1"x":""), $2}')" >>"$base/outcomes.log"
    grep -q '^search retried' "$it/check.log" && retried=$((retried + 1))
    [[ $rc == 0 && $outcome == error && ${#q[@]} -gt 0 ]] && error_q=$((error_q + 1))
    case $rc in
      0) n[$outcome]=$((n[$outcome] + 1)); rm -rf "$it"; continue ;;
      10) n[wrong]=$((n[wrong] + 1))
          if [[ $allow_wrong == 1 ]]; then
            mkdir -p "$work/wrong-answers" && mv "$it" "$work/wrong-answers/it$i"
            continue
          fi ;;
      11) n[bad_error]=$((n[bad_error] + 1)) ;;
      124|137) n[hang]=$((n[hang] + 1)) ;;
      *) n[crash]=$((n[crash] + 1)) ;;
    esac
    fail_keep "$it" "flip-loop iteration $i: status $rc, outcome ${outcome:-none}: $(grep -m1 -v '^quarantine=' "$it/check.log")"
  done
  echo "flip-loop: iterations=$flip_iterations flipped_bytes=$flips exact=${n[exact]} error=${n[error]}" \
    "quarantined=${n[quarantined]} wal_cut=${n[wal_cut]} wrong=${n[wrong]} bad_error=${n[bad_error]}" \
    "crash=${n[crash]} hang=${n[hang]} quarantine_unsupported=$quarantine_unsupported" \
    "error_with_quarantine_on=$error_q searches_retried_after_quarantine=$retried" \
    "wal=$(sed -n 's/^wal_mode //p' "$base/manifest") violations=$((failures - n_viol_before))"
  if [[ $allow_wrong == 1 && ${n[wrong]} -gt 0 ]]; then
    echo "flip-loop: ${n[wrong]} wrong answer(s) allowed by --allow-wrong-answers; kept in $work/wrong-answers"
    keep=1
  fi
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
