#!/usr/bin/env bash
# Session 7 device call (the 8.5.3.1 kit in /tmp/trtkit, numpy 1.24.4's cp39 wheel carried in .trtkit/extra):
# gpu/numpy_bool_probe.py under numpy 1.24.4 (trt.nptype fails), under the kit's numpy 1.23.5 (works), and
# under 1.23.5 with Python's warnings shown (the DeprecationWarning form). Each run's stdout and stderr
# together, as a console shows them. Results ($OUT): one tar.xz.
set -u
cd "$(dirname "$0")/.." || exit 2
START=$(date +%s)
W=/tmp/s7; NP=$W/numpy124; mkdir -p "$NP"
source /tmp/trtkit/device-setup.sh || { echo "device-setup failed"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -m zipfile -e .trtkit/extra/numpy-1.24.4-*.whl "$NP" || exit 1
PY39_NP124=${PY39/PYTHONPATH=/PYTHONPATH=$NP:}
# shellcheck disable=SC2086  # the PY39 forms are command lines (env VAR=... python)
{
  timeout 300 $PY39_NP124 gpu/numpy_bool_probe.py > "$W/nptype-numpy1.24.4-trt8.5.3.1.log" 2>&1
  echo "numpy 1.24.4: exit $?"
} &
{
  timeout 300 $PY39 gpu/numpy_bool_probe.py > "$W/nptype-numpy1.23.5-trt8.5.3.1.log" 2>&1
  echo "numpy 1.23.5: exit $?"
} &
{
  timeout 300 $PY39 -W default gpu/numpy_bool_probe.py > "$W/nptype-numpy1.23.5-warnings-trt8.5.3.1.log" 2>&1
  echo "numpy 1.23.5 -W default: exit $?"
} &
wait
wc -l "$W"/*.log
for f in "$W"/*.log; do echo "== $f"; grep -n -E "probe:|Error|Warning|np.bool|Traceback|File " "$f" | head -20; done
tar -C "$W" -cJf "$OUT/session7-logs.tar.xz" $(cd "$W" && ls *.log)
ls -la "$OUT"; echo "call took $(( $(date +%s) - START )) s"
