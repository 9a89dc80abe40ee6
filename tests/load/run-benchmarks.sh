#!/usr/bin/env bash
# Runs the BENCHMARKS.md load series against a spawned release server; JSON per run in
# $OUT (default target/bench). Usage: tests/load/run-benchmarks.sh [label]
set -euo pipefail
cd "$(dirname "$0")/../.."
label=${1:-now}
bin=${CARGO_TARGET_DIR:-target}/release
out=${OUT:-${CARGO_TARGET_DIR:-target}/bench}/$label
mkdir -p "$out"
ulimit -n 20000
for n in 100 500 1000 2000; do
  every=1; [ "$n" -ge 1000 ] && every=10
  "$bin/hotline-load" --spawn-server --calls "$n" --rate 200 --hold 20 --path "3 1 *" \
    --identify-every "$every" --bare --json "$out/concurrent-$n.json" | tee "$out/concurrent-$n.txt"
done
# Set-up rate: 1000 calls per second for 60 s, each held 2 s after its answer without
# walking the menu (about 2000 up at once).
"$bin/hotline-load" --spawn-server --calls 3000 --rate 1000 --duration 60 --hold 2 --setup-only \
  --identify-every 50 --json "$out/rate-1000.json" | tee "$out/rate-1000.txt"
