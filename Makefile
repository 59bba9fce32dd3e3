# make run  : create .venv if missing, install ganbench with dev extras, run the quick experiment.
# make run RUN_FLAGS=--resume : continue (or skip) cells an earlier make run trained.
# make test : create .venv if missing, install ganbench with dev extras, run the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_FLAGS ?=

.PHONY: run test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ganbench run experiments/quick.toml --out reports/quick $(RUN_FLAGS)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
