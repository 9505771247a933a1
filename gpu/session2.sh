#!/usr/bin/env bash
# A device session as one pipeline that keeps running between calls, polled by short calls:
#   bash gpu/session2.sh start      launch the pipeline in the background (needs the kit in /tmp/trtkit)
#   bash gpu/session2.sh poll SECS  wait up to SECS for it; print progress; copy the results so far to $OUT
#   bash gpu/session2.sh fg         run the pipeline in the foreground (resumes: finished steps are skipped)
# Pipeline (one after the other, so no timing shares the GPU with a build):
#   1. unpack TensorRT, build pycuda (INT8 jobs wait for it), export the models (gpu/export_models.py)
#   2. gpu/run_jobs.py set s2, every job at once
#   3. gpu/validate_all.sh on the FP16/INT8 bundles: validate vs ONNX Runtime, bench, independent timing
#   4. benchmarks/bench_build_overhead.py (transformer FP32, $PAIRS pairs; with CNN_PAIRS=N also the CNN
#      FP16 at optimization level 1, N pairs)
# Env: ONLY_OVERHEAD=1 skips steps 2-3 and pycuda (nothing else may use the CPU or GPU while it runs).
# Results ($OUT): pipeline.log, bundles (no engine.plan / timing.cache), validate_all.*, overhead*.txt.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
W=/tmp/work; M=$W/models; B=$W/bundles; LOG=$W/pipeline.log
mkdir -p "$M" "$B"
TS="--tactic-sources EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS"
PAIRS=${PAIRS:-5}

step() {  # step NAME: true when NAME is still to do
  [ ! -f "$W/done.$1" ]
}

pipeline() {
  local t0; t0=$(date +%s)
  echo "== pipeline start $(date -u +%T)"
  source /tmp/trtkit/device-setup.sh || { echo "device-setup failed"; return 1; }
  export PY39
  [ -n "${ONLY_OVERHEAD:-}" ] && touch "$W/done.builds" "$W/done.validate" "$M/PYCUDA_READY"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  if [ ! -f "$M/PYCUDA_READY" ]; then
    if $PY39 -c 'import pycuda.driver' 2>/dev/null; then
      echo "$PY39" > "$M/PY39_PYCUDA"; touch "$M/PYCUDA_READY"
    else
      ( if build_pycuda > "$W/pycuda.log" 2>&1 && $PY39 -c 'import pycuda.driver' >> "$W/pycuda.log" 2>&1; then
          echo "$PY39" > "$M/PY39_PYCUDA"; touch "$M/PYCUDA_READY"; echo "pycuda ready at $(( $(date +%s) - t0 )) s"
        else touch "$M/PYCUDA_FAILED"; tail -20 "$W/pycuda.log"; fi ) &
    fi
  fi
  [ -f "$M/mobilenet.onnx" ] || python3 gpu/export_models.py "$M" 2>&1 | grep -v -i warn | tail -8
  echo "models ready at $(( $(date +%s) - t0 )) s"

  if step builds; then
    local now; now=$(date +%s)
    PYTHONUNBUFFERED=1 python3 gpu/run_jobs.py s2 "$M" "$B" --tag trt8.6.0 --deadline $((now + 900)) \
        --hard $((now + 1100)) --parallel 8
    wait   # pycuda, if it is still building
    touch "$W/done.builds"
    echo "builds done at $(( $(date +%s) - t0 )) s"
  fi
  [ -f "$M/PY39_PYCUDA" ] && PY39=$(cat "$M/PY39_PYCUDA") && export PY39   # the PY39 that imports pycuda

  if step validate; then
    local sel=()
    for n in cnn-fp16-O1 cnn-int8-O1 mobilenet-fp16-O1 mobilenet-int8-O1 transformer-fp16 transformer-int8; do
      [ -f "$B/$n-trt8.6.0/engine.plan" ] && sel+=("$B/$n-trt8.6.0")
    done
    OUT=$W/validate RANDOM_SETS=8 BENCH_ITERS=1000 PER_LAYER=none bash gpu/validate_all.sh "${sel[@]}" \
        > "$W/validate_all.txt" 2>&1
    echo "validate_all exit $? at $(( $(date +%s) - t0 )) s"
    touch "$W/done.validate"
  fi

  if step overhead; then
    if [ "$PAIRS" -gt 0 ]; then
      # shellcheck disable=SC2086
      PYTHONUNBUFFERED=1 $PY39 benchmarks/bench_build_overhead.py "$M/transformer.onnx" --pairs "$PAIRS" \
          --work "$W/overhead" -- $TS > "$W/overhead.txt" 2>&1
      echo "overhead exit $? at $(( $(date +%s) - t0 )) s"
    fi
    if [ -n "${CNN_PAIRS:-}" ]; then
      # shellcheck disable=SC2086
      PYTHONUNBUFFERED=1 $PY39 benchmarks/bench_build_overhead.py "$M/cnn.onnx" --pairs "$CNN_PAIRS" \
          --work "$W/overhead-cnn" -- --fp16 --builder-opt-level 1 $TS > "$W/overhead-cnn.txt" 2>&1
      echo "overhead (cnn) exit $? at $(( $(date +%s) - t0 )) s"
    fi
    touch "$W/done.overhead"
  fi
  echo "== pipeline done at $(( $(date +%s) - t0 )) s"
  touch "$W/done.all"
}

collect() {
  local out=${OUT:-/tmp/out}; mkdir -p "$out"
  XZ_OPT="-6 -T0" tar -C "$B" -cJf "$out/bundles-s2.tar.xz" --exclude=engine.plan --exclude=timing.cache .
  cp "$W/pipeline.log" "$out/" 2>/dev/null
  cp "$W"/overhead*.txt "$W/validate_all.txt" "$out/" 2>/dev/null
  cp "$W/validate/validate_all.json" "$W/validate/validate_all.log.xz" "$out/" 2>/dev/null
  ls -la "$out"
}

progress() {
  for d in "$B"/*/; do
    [ -d "$d" ] || continue
    printf '%-40s %s %s\n' "$(basename "$d")" "$(tr -d '\n ' < "$d/status.json" 2>/dev/null | cut -c1-120)" \
      "$(tail -1 "$d/build.log" 2>/dev/null | cut -c1-90)"
  done
  tail -5 "$W/validate_all.txt" 2>/dev/null
  tail -3 "$W"/overhead*.txt 2>/dev/null
  tail -15 "$LOG"
}

case ${1:-} in
  start)
    setsid nohup env ONLY_OVERHEAD="${ONLY_OVERHEAD:-}" PAIRS="$PAIRS" CNN_PAIRS="${CNN_PAIRS:-}" \
        bash "$0" fg > "$LOG" 2>&1 < /dev/null &
    sleep 20; tail -5 "$LOG" ;;
  fg)
    pipeline ;;
  poll)
    end=$(( $(date +%s) + ${2:-500} ))
    while [ ! -f "$W/done.all" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 5; done
    progress
    collect ;;   # every poll brings back what exists: a lost machine loses nothing already polled
  collect)
    collect ;;
  *)
    echo "usage: bash gpu/session2.sh start|poll SECS|fg|collect" >&2; exit 2 ;;
esac
