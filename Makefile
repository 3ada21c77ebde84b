# parbrief — set-up and everyday commands. Every target installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?=

.PHONY: install demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

## Render the briefs for the bundled (synthetic) demo data into outputs/
demo: $(STAMP)
	$(BIN)/parbrief demo --out outputs/demo-data
	$(BIN)/parbrief render --data outputs/demo-data/parbrief.duckdb --out outputs $(if $(YEAR),--year $(YEAR),)

## Run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Benchmark the batch render (prints figures; asserts nothing)
bench: $(STAMP)
	$(BIN)/python bench/render_bench.py

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache .hypothesis
