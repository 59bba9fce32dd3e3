# make run  : create .venv if missing, install ganbench with dev extras, run the quick experiment.
# make run RUN_FLAGS=--resume : continue (or skip) cells an earlier make run trained.
# make test : create .venv if missing, install ganbench with the dev and tracking (MLflow) extras, check the import contract (pyproject.toml), run the test suite.
# make explore : install the explore extra too (Gradio, Playwright), start `ganbench explore` on 127.0.0.1
#                with the shipped pretrained models (EXPLORE_FLAGS="runs/restgan --port 8000" for others).
# make pretrained : retrain the shipped pretrained models (experiments/pretrained.toml) and export them
#                into ganbench/pretrained/ (after a change to a model's architecture).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXPLORE_STAMP := $(VENV)/.installed-explore
RUN_FLAGS ?=
EXPLORE_FLAGS ?=

.PHONY: run reference test lint install clean explore pretrained

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,tracking]'
	touch $(STAMP)

$(EXPLORE_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,tracking,explore]'
	touch $(EXPLORE_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ganbench run experiments/quick.toml --out reports/quick --jobs 2 $(RUN_FLAGS)

# The committed reference result (README's headline table): 25 cells (5 models x 5 seeds), two at a time on a CPU.
reference: $(STAMP)
	$(BIN)/ganbench run experiments/reference.toml --out reports/reference --jobs 2 $(RUN_FLAGS)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

explore: $(EXPLORE_STAMP)
	GRADIO_ANALYTICS_ENABLED=False $(BIN)/ganbench explore $(EXPLORE_FLAGS)

pretrained: $(STAMP)
	$(BIN)/ganbench run experiments/pretrained.toml --out results/pretrained --fresh
	$(BIN)/ganbench pretrained export results/pretrained

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
