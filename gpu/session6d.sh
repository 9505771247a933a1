#!/usr/bin/env bash
# Session 6, fourth device call (the 8.6.0 kit in /tmp/trtkit): TensorRT 8.6 builds of deprecated or
# unsupported builder settings the project holds no real log of (gpu/api_probe.py; models from gpu/probe_models.py).
# Results ($OUT): one tar.xz of each build's stdout (TensorRT's log) and stderr.
set -u
cd "$(dirname "$0")/.." || exit 2
START=$(date +%s)
W=/tmp/s6d; M=$W/models; mkdir -p "$M"
source /tmp/trtkit/device-setup.sh || { echo "device-setup failed"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 gpu/probe_models.py "$M" || exit 1
run() {  # run MODE
  local t0; t0=$(date +%s)
  # shellcheck disable=SC2086  # PY39 is a command line (env VAR=... python)
  timeout 300 $PY39 gpu/api_probe.py "$M" "$1" > "$W/$1-trt8.6.0.log" 2> "$W/$1-trt8.6.0.stderr"
  echo "$1: exit $? in $(( $(date +%s) - t0 )) s: $(tail -1 "$W/$1-trt8.6.0.stderr" | cut -c1-200)"
}
for m in strict-types max-batch safety dla-standalone direct-io no-tf32; do run "$m" & done
wait
wc -l "$W"/*.log
grep -h -E "\[(W|E)\]|[Dd]eprecat|[Ss]afety|DLA|TF32|[Ss]trict|[Bb]atch|[Dd]irect" "$W"/*.log | cut -c23-220 | sort | uniq -c | sort -rn | head -60
cat "$W"/*.stderr
# one archive: a call returns at most 8 files
tar -C "$W" -cJf "$OUT/session6d-logs.tar.xz" $(cd "$W" && ls *.log *.stderr)
ls -la "$OUT"; echo "call took $(( $(date +%s) - START )) s"
