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

declare -A LABEL MODEL
for b in "${BUNDLES[@]}"; do
  name=$(basename "$b" | tr -c 'A-Za-z0-9._\n-' '_')
  IFS=$'\t' read -r label model state < <(describe "$b")
  LABEL[$b]=$label; MODEL[$b]=$model
  log ""
  log "==== $name ($label) model=${model:-?} build=$state"
  if [ "$state" != ok ]; then log "skipped: status.json says the build failed"; continue; fi
  if [ -z "$model" ]; then log "skipped: no ONNX model found (config.json spec.model / model.onnx)"; continue; fi
  validate_one "$b" "$model" "$label" "$name"; log "validate exit: $?"
  run $PY39 -m trtlog bench "$b" --iterations "$BENCH_ITERS" --warmup 100 --force; log "bench exit: $?"
  run $PY39 gpu/independent_timing.py "$b/engine.plan" --iterations "$BENCH_ITERS" --warmup 100 \
      --json "$b/independent_timing.json"; log "independent exit: $?"
done

# --per-layer last: it builds a debug engine (minutes), so everything above is safe if time runs out
if [ "$PER_LAYER" != none ]; then
  picks=()
  for b in "${BUNDLES[@]}"; do [ "${LABEL[$b]:-}" = int8 ] && [ -n "${MODEL[$b]:-}" ] && picks+=("$b"); done
  for b in "${BUNDLES[@]}"; do [ "${LABEL[$b]:-}" != int8 ] && [ -n "${MODEL[$b]:-}" ] && picks+=("$b"); done
  [ "$PER_LAYER" = first ] && picks=("${picks[@]:0:1}")
  for b in "${picks[@]}"; do
    name=$(basename "$b" | tr -c 'A-Za-z0-9._\n-' '_')
    log ""
    log "==== per-layer: $name (${LABEL[$b]})"
    validate_one "$b" "${MODEL[$b]}" "${LABEL[$b]}" "$name" --per-layer --top 8; log "per-layer validate exit: $?"
  done
fi

$PY39 - "$OUTDIR/validate_all.json" "${BUNDLES[@]}" <<'PY' 2>&1 | tee -a "$LOG"
import json, sys
from pathlib import Path
out, bundles = sys.argv[1], sys.argv[2:]
doc, rows = {}, []
def load(p):
    try:
        return json.loads(Path(p).read_text())
    except Exception:
        return None
for b in bundles:
    b = Path(b)
    v, be, ind = load(b / "validate.json"), load(b / "bench.json"), load(b / "independent_timing.json")
    doc[b.name] = {"validate": v, "bench": be, "independent": ind}
    med = be["metrics"]["GPU Compute Time"]["median"] if be else None
    imed = ind["median_ms"] if ind else None
    worst = None
    if v and v.get("outputs"):
        worst = max(v["outputs"], key=lambda r: r.get("rel_l2", 0) if r.get("rel_l2") is not None else 0)
    rows.append((b.name, v["status"] if v else "-", worst, med, imed, be))
print("\n==== summary")
print(f"{'bundle':<28} {'validate':<8} {'rel L2':>9} {'cosine':>9} {'argmax':>7} {'bench GPU med':>14} {'indep. med':>11} {'ratio':>7} {'qps':>9}")
for name, st, w, med, imed, be in rows:
    rl = f"{w['rel_l2']:.3g}" if w and "rel_l2" in w else "-"
    co = f"{w['cosine']:.6f}" if w and "cosine" in w else "-"
    am = f"{w['argmax_agreement']:.3f}" if w and w.get("argmax_agreement") is not None else "-"
    ratio = f"{med / imed:.4f}" if med and imed else "-"
    qps = f"{be['metrics']['Throughput']['value']:.1f}" if be else "-"
    print(f"{name[:28]:<28} {st:<8} {rl:>9} {co:>9} {am:>7} {(f'{med:.5f} ms' if med else '-'):>14} "
          f"{(f'{imed:.5f} ms' if imed else '-'):>11} {ratio:>7} {qps:>9}")
Path(out).write_text(json.dumps(doc, indent=1, default=str))
print(f"wrote {out}")
PY
xz -9 -c "$LOG" > "$OUTDIR/validate_all.log.xz" && echo "wrote $OUTDIR/validate_all.log.xz"
