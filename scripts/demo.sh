#!/usr/bin/env bash
# The main job: set up, build, ingest the real node_exporter capture, run example queries
# and print results and stats. DATA_DIR (default: a fresh temporary directory) keeps the data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
BUILD_DIR="$root/build" BUILD_TYPE=Release "$root/scripts/build.sh"  # as scripts/test.sh builds it
vme="$root/build/tools/vmengine/vmengine"
data=${DATA_DIR:-$(mktemp -d /tmp/vmengine-demo.XXXXXX)}
capture="$root/examples/data/node_exporter_1s_1200.prom.zst"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
out=$(mktemp /tmp/vmengine-demo-out.XXXXXX)
trap 'rm -f "$out"' EXIT
# Runs a command into $out, then shows its first N lines (no SIGPIPE under pipefail).
show() { local n=$1; shift; "$@" > "$out"; head -n "$n" "$out"; }

step "import $(basename "$capture") into $data"
"$vme" import --data "$data" "$capture"

step "series count"
"$vme" series-count --data "$data"

step "label names"
show 20 "$vme" labels --data "$data"

step "query: node_cpu_seconds_total{mode=\"idle\"} (first 5 rows per format csv)"
show 6 "$vme" query --data "$data" --format csv 'node_cpu_seconds_total{mode="idle"}'

step "query: network series matching {__name__=~\"node_network_.*\",device=\"lo\"} (jsonl, first series, 200 chars)"
show 1 "$vme" query --data "$data" --format jsonl '{__name__=~"node_network_.*",device="lo"}' | cut -c1-200

step "series count of node_network_.*"
"$vme" series-count --data "$data" '{__name__=~"node_network_.*"}'

step "query over a time window: node_load1, first 60 s of the capture"
"$vme" query --data "$data" --format csv 'node_load1' > "$out"
start=$(sed -n 2p "$out" | cut -d, -f2)
show 8 "$vme" query --data "$data" --start "$start" --end $((start + 60000)) --format csv 'node_load1'

step "stats"
"$vme" stats --data "$data"
echo
echo "data directory: $data"
