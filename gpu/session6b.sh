#!/usr/bin/env bash
# Session 6, second device call (the 8.6.0 kit in /tmp/trtkit): TensorRT 8.6 builds of builder features
# the project holds no real log of (gpu/feature_probe.py; models from gpu/probe_models.py).
# Results ($OUT): each build's stdout (TensorRT's log) and stderr, xz-compressed.
set -u
cd "$(dirname "$0")/.." || exit 2
START=$(date +%s)
W=/tmp/s6b; M=$W/models; mkdir -p "$M"
source /tmp/trtkit/device-setup.sh || { echo "device-setup failed"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 gpu/probe_models.py "$M" || exit 1
run() {  # run MODE
  local t0; t0=$(date +%s)
  # shellcheck disable=SC2086  # PY39 is a command line (env VAR=... python)
  timeout 300 $PY39 gpu/feature_probe.py "$M" "$1" > "$W/$1-trt8.6.0.log" 2> "$W/$1-trt8.6.0.stderr"
  echo "$1: exit $? in $(( $(date +%s) - t0 )) s: $(tail -1 "$W/$1-trt8.6.0.stderr" | cut -c1-200)"
}
for m in sparse-fp16 qdq-int8 vc-hwcompat obey-fp32 dla-on-gpu refit; do run "$m" & done
wait
wc -l "$W"/*.log
grep -h -E "\[(W|E)\]|[Ss]parse|[Ll]ean|[Cc]ompatib|[Rr]efit|DLA|precision" "$W"/*.log | cut -c23-220 | sort | uniq -c | sort -rn | head -60
xz -k -6 "$W"/*.log "$W"/*.stderr && cp "$W"/*.xz "$OUT"/
ls -la "$OUT"; echo "call took $(( $(date +%s) - START )) s"
