#!/usr/bin/env bash
# Session 6, one device call after the 8.6.0 kit is in /tmp/trtkit: TensorRT 8.6 INT8 builds of
# resize_bn.onnx (gpu/probe_models.py) through the Python API (gpu/calib_probe.py):
#   int8-empty-calibrator   a calibrator that yields no batch
#   int8-no-calibrator      the INT8 flag without calibrator or dynamic ranges
# Results ($OUT): each build's stdout (TensorRT's log) and stderr, xz-compressed.
set -u
cd "$(dirname "$0")/.." || exit 2
START=$(date +%s)
W=/tmp/s6; M=$W/models; mkdir -p "$M"
source /tmp/trtkit/device-setup.sh || { echo "device-setup failed"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 gpu/probe_models.py "$M" || exit 1
run() {  # run MODE
  local t0; t0=$(date +%s)
  # shellcheck disable=SC2086  # PY39 is a command line (env VAR=... python)
  timeout 240 $PY39 gpu/calib_probe.py "$M/resize_bn.onnx" "$1" > "$W/int8-$1-trt8.6.0.log" 2> "$W/int8-$1-trt8.6.0.stderr"
  echo "$1: exit $? in $(( $(date +%s) - t0 )) s: $(tail -1 "$W/int8-$1-trt8.6.0.stderr" | cut -c1-200)"
}
run empty-calibrator &
run no-calibrator &
wait
wc -l "$W"/*.log
grep -h -i -E "calibrat|scal|int8|\[E\]|\[W\]" "$W"/*.log | cut -c1-220 | sort | uniq -c | sort -rn | head -50
xz -k -6 "$W"/*.log "$W"/*.stderr && cp "$W"/*.xz "$OUT"/
ls -la "$OUT"; echo "call took $(( $(date +%s) - START )) s"
