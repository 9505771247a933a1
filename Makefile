# Quick start:  make demo   (fresh venv, install, explain + HTML report of a real bundled build log)
#               make test   (the test suite; tests needing ../shared or Chromium skip cleanly)
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
DEMO_LOG ?= $(firstword $(wildcard tests/fixtures/gpu/demo/build.log.xz) ../shared/corpus/logs/trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log)

.PHONY: demo test venv check-coverage bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

venv: $(VENV)/.installed

demo: venv
	@test -n "$(DEMO_LOG)" -a -e "$(DEMO_LOG)" || { echo "no demo log found (tests/fixtures/gpu/demo or ../shared)"; exit 2; }
	@mkdir -p out
	$(VENV)/bin/trtlog parse "$(DEMO_LOG)"
	$(VENV)/bin/trtlog explain "$(DEMO_LOG)" --min-severity warning
	$(VENV)/bin/trtlog report "$(DEMO_LOG)" -o out/demo-report.html --force
	@echo "report: out/demo-report.html"

test: venv
	$(PY) -m pytest -q

check-coverage: venv
	PATH="$(abspath $(VENV))/bin:$$PATH" ../shared/checks/corpus-coverage

bench: venv
	$(PY) benchmarks/bench_parse.py
	$(PY) benchmarks/bench_explain.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_diff.py

clean:
	rm -rf $(VENV) out build *.egg-info
