# Quick start:  make demo   (fresh venv, install, explain + HTML report of a real bundled build log)
#               make test   (the test suite; tests needing ../shared or Chromium skip cleanly)
#               make lint   (ruff, configured in pyproject.toml)
# Another Python: make test PYTHON=python3.9 VENV=.venv-3.9
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
# a real bundle the project built itself on an H100 (TensorRT 8.6.0, FP16, 256 KiB workspace)
DEMO_LOG ?= tests/fixtures/gpu/transformer-fp16-tinyws-trt8.6.0

.PHONY: demo test lint venv check-coverage bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# setuptools' "Editable installation" notice (a folder named like the package may shadow it) is said of
	@# every editable install that is not a src layout, not of this package's metadata: keep it out of the output.
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install -q -e ".[test]"
	touch $@

venv: $(VENV)/.installed

demo: venv
	@mkdir -p out
	$(VENV)/bin/trtlog parse "$(DEMO_LOG)"
	$(VENV)/bin/trtlog explain "$(DEMO_LOG)"
	$(VENV)/bin/trtlog report "$(DEMO_LOG)" -o out/demo-report.html --force
	@echo "report: out/demo-report.html"

test: venv
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check .

check-coverage: venv
	PATH="$(abspath $(VENV))/bin:$$PATH" ../shared/checks/corpus-coverage

bench: venv
	$(PY) benchmarks/bench_parse.py
	$(PY) benchmarks/bench_explain.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_diff.py

clean:
	rm -rf $(VENV) .venv-* out build *.egg-info
