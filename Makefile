# parbrief — set-up and everyday commands. Every target installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?=
BENCH  ?=

.PHONY: install browser demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

## Render the briefs for the bundled (synthetic) demo data into outputs/: the last year on the
## 63-province map (2024) and the latest year (2025, the new map), or only YEAR=… when given
demo: $(STAMP)
	$(BIN)/parbrief demo --out outputs/demo-data
	$(if $(YEAR),,$(BIN)/parbrief render --data outputs/demo-data/parbrief.duckdb --out outputs --year 2024)
	$(BIN)/parbrief render --data outputs/demo-data/parbrief.duckdb --out outputs $(if $(YEAR),--year $(YEAR),)

## Debian's Chromium for the browser tests and `render --pdf` (installed when missing and possible)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  ( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ) >/dev/null 2>&1 \
	  || echo "could not install chromium (not root?): the browser tests will be skipped"; }

## Run the whole test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -q

## Benchmark the batch render against issue #15's targets (prints figures; asserts nothing);
## BENCH="--quick" (or --no-curve, --no-naive, --json FILE …) passes options to bench/render_bench.py
bench: $(STAMP)
	$(BIN)/python bench/render_bench.py $(BENCH)

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache .hypothesis
