#!/usr/bin/env bash
# Session 5, one device call after the 8.6.0 kit is in /tmp/trtkit: TensorRT 8.6 builds of the probe
# models (gpu/probe_models.py) for message families the project holds no real log of:
#   resize-bn-fp32 / resize-bn-fp16   the importer's Resize and BatchNorm lines (verbose)
#   custom-op                         plugin-registry look-up of an unknown op, plugin-not-found failure
#   tc-good / tc-truncated / tc-onnx  a timing cache written, then loaded truncated to half, then an
#                                     ONNX file given as the timing cache (TensorRT's rejection wording)
# Results ($OUT): bundles (no engine.plan / timing.cache) as one tar.xz, and this call's log.
set -u
cd "$(dirname "$0")/.." || exit 2
START=$(date +%s)
W=/tmp/s5; M=$W/models; B=$W/bundles; TC=$W/tc; mkdir -p "$M" "$B" "$TC"
source /tmp/trtkit/device-setup.sh || { echo "device-setup failed"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 gpu/probe_models.py "$M" || exit 1
TS=(--tactic-sources EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS)
build() {  # build NAME MODEL ARGS...
  local name=$1 model=$2; shift 2
  local t0; t0=$(date +%s)
  # shellcheck disable=SC2086  # PY39 is a command line (env VAR=... python)
  timeout 150 $PY39 -m trtlog build "$M/$model" -o "$B/$name" "${TS[@]}" "$@" > "$W/$name.stdout" 2>&1
  echo "$name: exit $? in $(( $(date +%s) - t0 )) s: $(tail -1 "$W/$name.stdout" | cut -c1-220)"
}
build custom-op-trt8.6.0 custom_op.onnx &
build resize-bn-fp32-O0-trt8.6.0 resize_bn.onnx --builder-opt-level 0 &
wait
build tc-good-fp16-O0-trt8.6.0 resize_bn.onnx --fp16 --builder-opt-level 0 --timing-cache "$TC/good.timing"
good=$(ls "$TC"/good.*.timing 2>/dev/null | head -1)
echo "cache written: $good ($(stat -c %s "$good" 2>/dev/null) bytes)"
if [ -n "$good" ]; then
  tag=${good#"$TC"/good.}; tag=${tag%.timing}
  head -c $(( $(stat -c %s "$good") / 2 )) "$good" > "$TC/truncated.$tag.timing"
  cp "$M/resize_bn.onnx" "$TC/onnx.$tag.timing"
  build tc-truncated-fp16-O0-trt8.6.0 resize_bn.onnx --fp16 --builder-opt-level 0 --timing-cache "$TC/truncated.$tag.timing"
  build tc-onnx-fp16-O0-trt8.6.0 resize_bn.onnx --fp16 --builder-opt-level 0 --timing-cache "$TC/onnx.$tag.timing"
fi
for d in "$B"/*/; do n=$(basename "$d"); printf '%-34s %s\n' "$n" "$(tr -d '\n ' < "$d/status.json" 2>/dev/null | cut -c1-240)"; done
for f in "$W"/*.stdout; do cp "$f" "$B/$(basename "$f" .stdout)/trtlog-build.stdout" 2>/dev/null; done
XZ_OPT="-6 -T0" tar -C "$B" -cJf "$OUT/bundles-s5.tar.xz" --exclude=engine.plan --exclude=timing.cache .
grep -h -i -E "timing cache|timingcache|registry|plugin|resize|batchnorm" "$B"/*/build.log 2>/dev/null | sort | uniq -c | sort -rn | head -60
ls -la "$OUT"; echo "call took $(( $(date +%s) - START )) s"
