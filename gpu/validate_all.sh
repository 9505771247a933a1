#!/usr/bin/env bash
# Validate and time every built bundle under the given directories, on the GPU machine.
#   bash gpu/validate_all.sh BUNDLES_DIR [MORE_DIRS...]
# Needs (done by the caller): source /tmp/trtkit/device-setup.sh && build_pycuda   (exports PY39)
# For each bundle (a folder with engine.plan; skipped when status.json says ok=false):
#   trtlog validate (ONNX Runtime in $PY39 if it has it, else references from the image's python3
#   through `python -m trtlog.validate.ort_runner` and `trtlog validate --reference`),
#   trtlog bench, and gpu/independent_timing.py; then one --per-layer run (PER_LAYER=first|all|none).
# Writes $OUT/validate_all.json (every result) and $OUT/validate_all.log.xz; prints a summary.
# Tunables (env): RANDOM_SETS=8 BENCH_ITERS=1000 PER_LAYER=first TOL_FP32 / TOL_FP16 / TOL_INT8 (validate options)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
[ $# -ge 1 ] || { echo "usage: bash gpu/validate_all.sh BUNDLES_DIR [...]" >&2; exit 2; }
[ -n "${PY39:-}" ] || { echo "PY39 is not set: source /tmp/trtkit/device-setup.sh && build_pycuda first" >&2; exit 2; }
OUTDIR=${OUT:-/tmp/validate-out}
mkdir -p "$OUTDIR"
WORK=$(mktemp -d /tmp/validate-all.XXXXXX)
LOG=$WORK/validate_all.log
RANDOM_SETS=${RANDOM_SETS:-8}
BENCH_ITERS=${BENCH_ITERS:-1000}
PER_LAYER=${PER_LAYER:-first}
TOL_FP32=${TOL_FP32:-"--atol 1e-3 --rtol 1e-3 --max-outside 0.001"}
TOL_FP16=${TOL_FP16:-"--atol 2e-2 --rtol 2e-2 --max-outside 0.01 --min-cosine 0.999"}
TOL_INT8=${TOL_INT8:-"--atol 1e-1 --rtol 1e-1 --max-outside 0.05 --min-cosine 0.98"}
PYSYS=${PYSYS:-python3}

log() { echo "$@" | tee -a "$LOG"; }
run() {  # run a command, echo it, keep its output in the log; returns its status
  log "+ $*"
  "$@" 2>&1 | tee -a "$LOG"
  return "${PIPESTATUS[0]}"
}

if ! $PY39 -c 'import pycuda.driver' >/dev/null 2>&1 && [ -f /tmp/trtkit/device-setup.sh ]; then
  # PY39 was exported before build_pycuda finished (e.g. built in the background): recompute it
  source /tmp/trtkit/device-setup.sh >/dev/null 2>&1
fi
$PY39 -c 'import pycuda.driver' >/dev/null 2>&1 || echo "warning: pycuda does not import with PY39 (run build_pycuda)" >&2
if $PY39 -c 'import onnxruntime, onnx' >/dev/null 2>&1; then HAVE_ORT=1; else HAVE_ORT=0; fi
log "== validate_all: $(date -u +%FT%TZ); PY39 has ONNX Runtime: $HAVE_ORT; $($PY39 -c 'import tensorrt; print("TensorRT", tensorrt.__version__)' 2>&1 | tail -1)"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader 2>/dev/null | tee -a "$LOG"

# bundle -> "label<TAB>model path" (label: int8 | fp16 | bf16 | fp32 from config.json spec)
describe() {
  $PY39 - "$1" <<'PY'
import json, sys
from pathlib import Path
from trtlog.validate.accuracy import model_from_bundle
b = Path(sys.argv[1])
try:
    doc = json.loads((b / "config.json").read_text())
except Exception:
    doc = {}
spec = doc.get("spec") or {}
prec = [p.lower() for p in spec.get("precisions") or doc.get("precisions") or []]
if spec.get("best"):
    prec += ["int8", "fp16"]
argv = " ".join(doc.get("argv") or [])
label = "int8" if ("int8" in prec or "--int8" in argv) else "fp16" if ("fp16" in prec or "--fp16" in argv) \
    else "bf16" if "bf16" in prec else "fp32"
ok = True
try:
    ok = bool(json.loads((b / "status.json").read_text()).get("ok", True))
except Exception:
    pass
m = model_from_bundle(b)
print(f"{label}\t{m or ''}\t{'ok' if ok else 'failed'}")
PY
}

# one line per given bundle (validate status, worst output, bench vs independent median); rewrites
# $OUTDIR/validate_all.json with every bundle's results so far
summarize() {
  $PY39 - "$OUTDIR/validate_all.json" "$@" <<'PY'
import json, sys
from pathlib import Path
out, show = Path(sys.argv[1]), sys.argv[2:]
def load(p):
    try:
        return json.loads(Path(p).read_text())
    except Exception:
        return None
doc = load(out) or {}
for b in show:
    b = Path(b)
    doc[b.name] = {"validate": load(b / "validate.json"), "bench": load(b / "bench.json"),
                   "bench_cudagraph": load(b / "bench_cudagraph.json"),
                   "independent": load(b / "independent_timing.json"),
                   "independent_cudagraph": load(b / "independent_timing_cudagraph.json")}
out.write_text(json.dumps(doc, indent=1, default=str))
print(f"{'bundle':<26} {'validate':<8} {'worst output':<14} {'rel L2':>9} {'cosine':>9} {'argmax':>6} "
      f"{'bench GPU median':>16} {'independent':>12} {'ratio':>7} {'qps':>8} {'graph median':>13} "
      f"{'indep. graph':>13} {'ratio':>7}")
for b in show:
    d = doc[Path(b).name]
    v, be, ind, cg = d["validate"], d["bench"], d["independent"], d.get("bench_cudagraph")
    icg = d.get("independent_cudagraph")
    gmed = cg["metrics"]["GPU Compute Time"]["median"] if cg else None
    igmed = icg["median_ms"] if icg else None
    rows = [r for r in (v or {}).get("outputs", []) if "rel_l2" in r]
    w = max(rows, key=lambda r: r["rel_l2"]) if rows else None
    med = be["metrics"]["GPU Compute Time"]["median"] if be else None
    imed = ind["median_ms"] if ind else None
    f = lambda x, spec: format(x, spec) if x is not None else "-"
    print(f"{Path(b).name[:26]:<26} {(v or {}).get('status', '-'):<8} {(w or {}).get('name', '-')[:14]:<14} "
          f"{f(w and w['rel_l2'], '.3g'):>9} {f(w and w['cosine'], '.6f'):>9} "
          f"{f(w and w.get('argmax_agreement'), '.3f'):>6} {f(med, '.5f') + ' ms':>16} {f(imed, '.5f') + ' ms':>12} "
          f"{f(med / imed if med and imed else None, '.4f'):>7} "
          f"{f(be and be['metrics']['Throughput']['value'], '.1f'):>8} "
          f"{f(gmed, '.5f') + ' ms':>13} {f(igmed, '.5f') + ' ms':>13} "
          f"{f(gmed / igmed if gmed and igmed else None, '.4f'):>7}")
PY
}

BUNDLES=()
while IFS= read -r plan; do BUNDLES+=("$(dirname "$plan")"); done < <(find "$@" -maxdepth 3 -name engine.plan -type f 2>/dev/null | sort)
log "== ${#BUNDLES[@]} bundle(s): ${BUNDLES[*]:-none}"
[ ${#BUNDLES[@]} -gt 0 ] || { echo "no engine.plan under $*" >&2; exit 2; }

validate_one() {  # bundle model label name extra-args...
  local b=$1 m=$2 label=$3 name=$4; shift 4
  local tol; case $label in int8) tol=$TOL_INT8;; fp16|bf16) tol=$TOL_FP16;; *) tol=$TOL_FP32;; esac
  if [ "$HAVE_ORT" = 1 ]; then
    # shellcheck disable=SC2086
    run $PY39 -m trtlog validate "$m" "$b" --random "$RANDOM_SETS" --seed 0 $tol --force "$@"
  else
    local shapes ref=$WORK/$name.ref.npz per=""
    for a in "$@"; do [ "$a" = --per-layer ] && per=--per-layer; done
    shapes=$($PY39 -m trtlog.validate.trt_runner shapes "$b/engine.plan" 2>>"$LOG") || { log "could not read shapes of $b"; return 2; }
    run $PYSYS -m trtlog.validate.ort_runner "$m" "$ref" --random "$RANDOM_SETS" --seed 0 --shapes "$shapes" $per || return 2
    # shellcheck disable=SC2086
    run $PY39 -m trtlog validate "$m" "$b" --reference "$ref" $tol --force "$@"
  fi
}

declare -A LABEL MODEL STATE
for b in "${BUNDLES[@]}"; do
  IFS=$'\t' read -r label model state < <(describe "$b")
  LABEL[$b]=$label; MODEL[$b]=$model; STATE[$b]=$state
done
ORDERED=()   # INT8 and FP16 first: if the caller's timeout strikes, those are done
for want in int8 fp16 bf16 fp32; do
  for b in "${BUNDLES[@]}"; do [ "${LABEL[$b]}" = "$want" ] && ORDERED+=("$b"); done
done

for b in "${ORDERED[@]}"; do
  name=$(basename "$b" | tr -c 'A-Za-z0-9._\n-' '_')
  label=${LABEL[$b]}; model=${MODEL[$b]}; state=${STATE[$b]}
  log ""
  log "==== $name ($label) model=${model:-?} build=$state"
  if [ "$state" != ok ]; then log "skipped: status.json says the build failed"; continue; fi
  if [ -z "$model" ]; then log "skipped: no ONNX model found (config.json spec.model / model.onnx)"; continue; fi
  rm -f "$b/validate.json" "$b/bench.json" "$b/bench_cudagraph.json" "$b/independent_timing.json" "$b/independent_timing_cudagraph.json"   # no stale results in the summary
  validate_one "$b" "$model" "$label" "$name"; log "validate exit: $?"
  run $PY39 -m trtlog bench "$b" --iterations "$BENCH_ITERS" --warmup 100 --force; log "bench exit: $?"
  # the same with the enqueue captured in CUDA graphs: the kernels' time without launch gaps
  run $PY39 -m trtlog bench "$b" --iterations "$BENCH_ITERS" --warmup 100 --cuda-graph --force \
      -o "$b/bench_cudagraph.json"; log "bench --cuda-graph exit: $?"
  run $PY39 gpu/independent_timing.py "$b/engine.plan" --iterations "$BENCH_ITERS" --warmup 100 \
      --json "$b/independent_timing.json"; log "independent exit: $?"
  run $PY39 gpu/independent_timing.py "$b/engine.plan" --iterations "$BENCH_ITERS" --warmup 100 --cuda-graph \
      --json "$b/independent_timing_cudagraph.json"; log "independent --cuda-graph exit: $?"
  summarize "$b" | tee -a "$LOG"   # one line now, and validate_all.json rewritten, in case time runs out
done

# --per-layer last: it builds a debug engine (minutes), so everything above is safe if time runs out
if [ "$PER_LAYER" != none ]; then
  picks=()
  # INT8 before the rest, and within each the smallest model first (the debug build takes minutes)
  while IFS=$'\t' read -r _ _ b; do picks+=("$b"); done < <(
    for b in "${ORDERED[@]}"; do
      [ -n "${MODEL[$b]:-}" ] && [ "${STATE[$b]}" = ok ] || continue
      printf '%d\t%012d\t%s\n' "$([ "${LABEL[$b]}" = int8 ] && echo 0 || echo 1)" "$(stat -c %s "${MODEL[$b]}")" "$b"
    done | sort)
  [ "$PER_LAYER" = first ] && picks=("${picks[@]:0:1}")
  for b in "${picks[@]}"; do
    name=$(basename "$b" | tr -c 'A-Za-z0-9._\n-' '_')
    log ""
    log "==== per-layer: $name (${LABEL[$b]})"
    validate_one "$b" "${MODEL[$b]}" "${LABEL[$b]}" "$name" --per-layer --top 8; log "per-layer validate exit: $?"
  done
fi

echo ""; echo "==== summary" | tee -a "$LOG"
summarize "${ORDERED[@]}" | tee -a "$LOG"
xz -9 -c "$LOG" > "$OUTDIR/validate_all.log.xz" && echo "wrote $OUTDIR/validate_all.log.xz"
