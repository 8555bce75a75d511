# redline: every set-up step for a fresh machine lives here.
# constraints.txt pins every transitive dependency (regenerate: .venv/bin/pip freeze --exclude-editable).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo test bench check lint typecheck clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[all,dev]'
	touch $(STAMP)

# The dashboard's plotly.js basic bundle, built from its npm package when npm is there (else the service serves the
# full bundle inside the plotly Python package). Pinned to the plotly.js version the Python package ships.
PLOTLY_BASIC := src/redline/service/static/vendor/plotly-basic.min.js
PLOTLY_JS_VERSION := 3.1.1

$(PLOTLY_BASIC):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix build/npm plotly.js-basic-dist-min@$(PLOTLY_JS_VERSION) && \
	  mkdir -p $(dir $(PLOTLY_BASIC)) && \
	  cp build/npm/node_modules/plotly.js-basic-dist-min/plotly-basic.min.js $(PLOTLY_BASIC) && \
	  cp build/npm/node_modules/plotly.js-basic-dist-min/LICENSE $(dir $(PLOTLY_BASIC))LICENSE.plotly.js; \
	else echo "npm not found: the dashboard will serve the full plotly.js bundle"; fi

install: $(STAMP) $(PLOTLY_BASIC)

demo: install
	$(VENV)/bin/redline demo

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: install
	$(PY) benchmarks/run_all.py

lint: install
	$(VENV)/bin/ruff check src tests benchmarks

typecheck: install
	$(VENV)/bin/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
