#!/usr/bin/env bash
# One device call: bash gpu/run_builds.sh PHASE SET TAG BUDGET_S
#   PHASE fixtures: unpack TensorRT, build pycuda (background), export the models, run the build jobs
#                   of SET (gpu/run_jobs.py) until BUDGET_S, pack the bundles (no engine.plan) into $OUT
#   PHASE bench:    the overhead benchmark alone, then any unfinished jobs, then gpu/validate_all.sh
# Env: KIT (default /tmp/trtkit), WORK (default /tmp/work), PARALLEL, ONLY (job names), NO_PYCUDA, BENCH_*.
# State lives in /tmp/work on the machine, so a second call on the same (warm) machine resumes.
set -u
PHASE=$1; SET=$2; TAG=$3; BUDGET=${4:-480}
START=$(date +%s)
HARD=$((START + BUDGET)); DEADLINE=$((HARD - 60))
W=${WORK:-/tmp/work}; M=$W/models; B=$W/bundles; mkdir -p "$M" "$B"
KIT=${KIT:-/tmp/trtkit}   # a second TensorRT kit can sit beside the first (KIT=/tmp/trtkit853)
sed "s#^K=/tmp/trtkit;#K=$KIT;#" "$KIT/device-setup.sh" > "$W/device-setup.sh"
source "$W/device-setup.sh" || { echo "device-setup failed"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "setup done in $(( $(date +%s) - START )) s"
if [ ! -f "$M/PYCUDA_READY" ] && $PY39 -c 'import pycuda.driver' 2>/dev/null; then   # built by an earlier call
  echo "$PY39" > "$M/PY39_PYCUDA"; touch "$M/PYCUDA_READY"
fi
if [ -z "${NO_PYCUDA:-}" ] && [ ! -f "$M/PYCUDA_READY" ] && [ ! -f "$M/PYCUDA_STARTED" ]; then
  touch "$M/PYCUDA_STARTED"
  ( if build_pycuda > "$W/pycuda.log" 2>&1 && $PY39 -c 'import pycuda.driver' >> "$W/pycuda.log" 2>&1; then
      echo "$PY39" > "$M/PY39_PYCUDA"; touch "$M/PYCUDA_READY"
    else touch "$M/PYCUDA_FAILED"; fi ) &
fi
if [ ! -f "$M/cnn.onnx" ]; then
  python3 gpu/export_models.py "$M" 2>&1 | grep -v -i "warn" | tail -12
fi
echo "models ready at $(( $(date +%s) - START )) s"
export PY39
if [ "$PHASE" = bench ]; then
  PYTHONUNBUFFERED=1 $PY39 benchmarks/bench_build_overhead.py "$M/${BENCH_MODEL:-mobilenet.onnx}" \
      --pairs "${BENCH_PAIRS:-3}" --work "$W/bench" -- ${BENCH_FLAGS:-} \
      --tactic-sources EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS 2>&1 | tee "$OUT/bench-$TAG.txt"
  DEADLINE=$(( HARD - 60 ))
  touch /tmp/BENCH_DONE
fi
if [ -n "${WAIT_FOR:-}" ]; then   # e.g. let a benchmark in another run_builds.sh have the GPU alone
  while [ ! -f "$WAIT_FOR" ] && [ "$(date +%s)" -lt "$DEADLINE" ]; do sleep 2; done
  echo "starting jobs at $(( $(date +%s) - START )) s"
fi
PYTHONUNBUFFERED=1 python3 gpu/run_jobs.py "$SET" "$M" "$B" --tag "$TAG" --deadline "$DEADLINE" --hard "$HARD" \
    --parallel "${PARALLEL:-3}" ${ONLY:+--only "$ONLY"}
wait
[ -f "$M/PYCUDA_FAILED" ] && tail -30 "$W/pycuda.log"
if [ "$PHASE" = bench ] && [ -z "${NO_VALIDATE:-}" ] && [ -f gpu/validate_all.sh ]; then
  timeout $(( HARD + 90 - $(date +%s) )) bash gpu/validate_all.sh "$B" > "$OUT/validate-$TAG.txt" 2>&1
  echo "validate_all.sh exit $?"; tail -40 "$OUT/validate-$TAG.txt"
fi
for d in "$B"/*/; do n=$(basename "$d"); printf '%-34s %s\n' "$n" "$(cat "$d/status.json" 2>/dev/null | tr -d '\n ' | cut -c1-200)"; done
XZ_OPT="-6 -T0" tar -C "$B" -cJf "$OUT/bundles-$TAG-$PHASE.tar.xz" --exclude=engine.plan --exclude=timing.cache .
ls -la "$OUT"; echo "call took $(( $(date +%s) - START )) s"
