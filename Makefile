# Quick start:  make demo   (fresh venv, install, explain + HTML report of a real bundled build log)
#               make test   (the test suite; tests needing ../shared or Chromium skip cleanly)
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
# a real bundle the project built itself on an H100 (TensorRT 8.6.0, FP16, 256 KiB workspace)
DEMO_LOG ?= tests/fixtures/gpu/transformer-fp16-tinyws-trt8.6.0

.PHONY: demo test venv check-coverage bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
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
	rm -rf $(VENV) out build *.egg-info
