# Floorboard — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest bench soak clean system-deps

# Each set-up step says what it does before it starts (a first run takes a few minutes).
say = @echo "==> $(1)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Floorboard needs Python >= 3.11 (found $$($(PYTHON) --version))" >&2; exit 1; }
	$(call say,[1/3] Creating the virtual environment $(VENV) with $$($(PYTHON) --version))
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { sh scripts/system-deps.sh venv && $(PYTHON) -m venv $(VENV); }
	$(call say,[2/3] Upgrading pip in $(VENV))
	$(PY) -m pip install --progress-bar on --upgrade pip

# The install compiles the hot path (setup.py, collectors/compiled.py) in place: any change to
# those modules re-runs it, so the extensions never lag their source.
HOT     := collectors/events.py collectors/queue_log/parser.py collectors/queue_log/decoder.py \
           $(wildcard collectors/aggregator/*.py)
SOURCES := pyproject.toml setup.py collectors/compiled.py $(HOT)

COMPILING = Floorboard's dependencies (pip lists each one), then compiling the hot path with \
	mypyc into C extensions: 2-4 minutes on a first run, while pip's spinner turns

$(STAMP): $(PY) $(SOURCES)
	$(call say,[3/3] Installing $(COMPILING))
	$(PY) -m pip install --progress-bar on -e .
	@$(PY) -c 'from collectors import compiled; s = compiled.status(); print("==> Installed;",\
	  sum(v == "compiled" for v in s.values()), "of", len(s), "hot-path modules compiled")'
	@touch $@

$(TSTAMP): $(PY) $(SOURCES)
	$(call say,[3/3] Installing the test tools and $(COMPILING))
	$(PY) -m pip install --progress-bar on -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(call say,Starting the demo (Ctrl-C to stop))
	$(VENV)/bin/floorboard demo

system-deps:
	@sh scripts/system-deps.sh test

lint: $(TSTAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check core collectors qa dashboard tests bench

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
