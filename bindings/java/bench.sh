#!/usr/bin/env bash
# bench.sh BUILD_DIR [RUNS]: W1 ingest benchmark of the Java binding next to the C figure.
# Compiles the classes and the JNI library against BUILD_DIR's libvmengine with Maven
# (-Dvmengine.build.dir; both libraries land in target/classes, as in the jar, and are loaded
# from there), then runs RUNS (default 3) interleaved pairs on fresh directories: the Java program org.vmengine.bench.W1Bench, then
# BUILD_DIR/bench/w1_bench (the C API benchmark; override with W1_BENCH=/path/to/w1_bench).
# Prints every run's "rows/s until durable", the medians and the median of the per-run
# Java/C ratios (the steadiest figure on a shared machine). Scratch directories go under
# $TMPDIR (default /tmp) and are removed.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [RUNS]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$1" && pwd)
runs=${2:-3}
c_bench=${W1_BENCH:-$build_dir/bench/w1_bench}
if [ ! -x "$c_bench" ]; then
  echo "bench.sh: no C benchmark at $c_bench (build target w1_bench with -DVME_BUILD_BENCH=ON" \
    "or set W1_BENCH)" >&2
  exit 1
fi
mvn -q -B -ntp -Dstyle.color=never -f "$here/pom.xml" "-Dvmengine.build.dir=$build_dir" test-compile 2>&1 \
  | sed 's/\x1b\[[0-9;]*m//g'
cp="$here/target/classes:$here/target/test-classes"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vme-w1-java.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
java_rates=()
c_rates=()
ratios=()
for i in $(seq 1 "$runs"); do
  out=$(java ${JAVA_BENCH_OPTS:-} -cp "$cp" \
    org.vmengine.bench.W1Bench "$scratch/java$i" --no-verify)
  [ "$i" = 1 ] && echo "$out" | sed -n '/^W1/,$p'
  j=$(echo "$out" | awk '/^rows\/s until durable/ {print $5}')
  rm -rf "$scratch/java$i"
  c=$("$c_bench" "$scratch/c$i" | awk '/^rows\/s until durable/ {print $5}')
  rm -rf "$scratch/c$i"
  r=$(awk -v j="$j" -v c="$c" 'BEGIN {printf "%.1f", 100 * j / c}')
  echo "run $i: Java $j M rows/s, C $c M rows/s, Java/C $r %"
  java_rates+=("$j")
  c_rates+=("$c")
  ratios+=("$r")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
jm=$(median "${java_rates[@]}")
cm=$(median "${c_rates[@]}")
echo "W1 rows/s until durable, median of $runs: Java $jm M, C $cm M," \
  "ratio of medians $(awk -v j="$jm" -v c="$cm" 'BEGIN {printf "%.1f %%", 100 * j / c}')," \
  "median of per-run ratios $(median "${ratios[@]}") %"
