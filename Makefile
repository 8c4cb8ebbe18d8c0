# Floorboard — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest bench soak clean system-deps

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Floorboard needs Python >= 3.11 (found $$($(PYTHON) --version))" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { sh scripts/system-deps.sh venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip

# The install compiles the hot path (setup.py, collectors/compiled.py) in place: any change to
# those modules re-runs it, so the extensions never lag their source.
HOT     := collectors/events.py collectors/queue_log/parser.py collectors/queue_log/decoder.py \
           $(wildcard collectors/aggregator/*.py)
SOURCES := pyproject.toml setup.py collectors/compiled.py $(HOT)

$(STAMP): $(PY) $(SOURCES)
	$(PY) -m pip install -q -e .
	@touch $@

$(TSTAMP): $(PY) $(SOURCES)
	$(PY) -m pip install -q -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/floorboard demo

system-deps:
	@sh scripts/system-deps.sh test

lint: $(TSTAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check collectors qa dashboard tests bench

typecheck: $(TSTAMP)
	$(VENV)/bin/mypy

# Tests run in parallel workers (pytest-xdist), a test file per worker at a time so that the
# module-scoped browsers and servers are started once; PYTEST_WORKERS=0 runs them serially.
PYTEST_WORKERS ?= auto
pytest: $(TSTAMP) system-deps
	$(PY) -m pytest --headless -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest

bench: $(TSTAMP) system-deps
	$(PY) -m bench

soak: $(TSTAMP)
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) floorboard-data build *.egg-info
	find . -path ./.venv -prune -o -name '*.so' -print -exec rm -f {} +
