# Quick start:  make demo   (fresh venv, install, a real TensorRT-RTX build on the CPU, explain + HTML report)
#               make test   (the test suite with real TensorRT-RTX builds; tests needing ../shared or Chromium skip cleanly)
#               make lint   (ruff, and mypy on the typed core; both configured in pyproject.toml)
# Another Python: make test PYTHON=python3.9 VENV=.venv-3.9
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
# a zoo model (tests/zoo/models.py): an FP16 transformer block whose LayerNorm is decomposed
DEMO_MODEL ?= transformer_fp16_ln_decomposed

.PHONY: demo test lint venv check-coverage bench zoo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# setuptools' "Editable installation" notice (a folder named like the package may shadow it) is said of
	@# every editable install that is not a src layout, not of this package's metadata: keep it out of the output.
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install -q -e ".[test]"
	touch $@

venv: $(VENV)/.installed

# a real TensorRT-RTX build on the CPU (no GPU needed), then the explanation and the HTML report
demo: venv
	@mkdir -p out
	$(PY) tests/zoo/models.py $(DEMO_MODEL) out
	$(VENV)/bin/trtlog build out/$(DEMO_MODEL).onnx --backend rtx -o out/demo.trtlog --force --no-progress \
	    --explain --report out/demo-report.html

test: venv
	$(PY) -m pytest -q

# the TensorRT-RTX zoo: regenerate the ONNX models and the committed bundles in tests/fixtures/rtx/
zoo: venv
	$(PY) tests/zoo/build_zoo.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# the shared corpus and the public logs committed here (tests/corpus/logs); both must pass
check-coverage: venv
	@status=0; \
	for d in ../shared/corpus/logs tests/corpus/logs; do \
	  echo "== $$d"; PATH="$(abspath $(VENV))/bin:$$PATH" ../shared/checks/corpus-coverage $$d || status=1; \
	done; exit $$status

bench: venv
	$(PY) benchmarks/bench_parse.py
	$(PY) benchmarks/bench_explain.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_diff.py

clean:
	rm -rf $(VENV) .venv-* out build *.egg-info
