#!/usr/bin/env bash
# SIPp cross-check of hotline-load at a smaller scale (BENCHMARKS.md): N calls at R cps,
# each held H ms, against a running server at ADDR; then the same with hotline-load.
# Usage: tests/load/sipp-crosscheck.sh ADDR SERVER_PID [N=200] [R=50] [H=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
addr=$1 pid=$2 n=${3:-200} r=${4:-50} h=${5:-10000}
dir=$(mktemp -d)
start_cpu=$(awk '{print $14+$15}' "/proc/$pid/stat")
# -p: SIPp's own SIP port (never 5060); -mp: its media port.
scenario=$PWD/tests/load/sipp_uac.xml
(cd "$dir" && sipp -sf "$scenario" -i 127.0.0.1 -p 15061 -mi 127.0.0.1 -mp 16000 \
  -m "$n" -r "$r" -l "$n" -d "$h" -nostdin -timeout 120 \
  -trace_rtt -rtt_freq 1 -trace_stat -fd 1 -stf "$dir/stat.csv" \
  -trace_err -error_file "$dir/errors.log" "$addr" >"$dir/sipp.out" 2>&1) || true
end_cpu=$(awk '{print $14+$15}' "/proc/$pid/stat")
rtt=$(ls "$dir"/*_rtt.csv)
grep -E "Successful call|Failed call" "$dir/sipp.out" | tail -2
python3 - "$rtt" <<'PY'
import csv, sys, math
rows = [r for r in csv.reader(open(sys.argv[1]), delimiter=';')][1:]
v = sorted(float(r[1]) for r in rows if len(r) > 1 and r[1])
rank = lambda q: v[min(len(v), max(1, math.ceil(q * len(v)))) - 1]
print(f"sipp set-up  (INVITE→200): {len(v)} calls, p50 {rank(.5):.2f} ms p99 {rank(.99):.2f} ms max {v[-1]:.2f} ms")
PY
echo "server cpu during sipp run: $(( (end_cpu - start_cpu) * 10 )) ms"
grep -c . "$dir/errors.log" 2>/dev/null | sed 's/^/sipp error lines: /' || true
echo "files: $dir"
