# fedlearn-kit: two commands do all set-up.
#   make lab   create .venv if missing, install the pinned set, open JupyterLab on the course
#   make test  install if needed, run every test (unit tests, notebooks, exercises)

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# The stamp is newer than pyproject.toml exactly when the installed set matches the pins.
STAMP := $(VENV)/.installed
PORT ?= 8888
# Jupyter refuses to run as root (as in containers and CI) unless told it is intended.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Flower sends anonymous usage telemetry by default; a privacy course sends nothing.
export FLWR_TELEMETRY_ENABLED := 0
# Keep Flower's state inside the kit's folder, never in the user's home.
export FLWR_HOME := $(CURDIR)/.flwr
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env

.PHONY: lab test install unit notebooks-test lint notebooks exercises data bench clean help

help:
	@echo "make lab        set up (first time) and open the course in JupyterLab"
	@echo "make test       set up (first time) and run every test"
	@echo "make notebooks  re-execute the course notebooks in place (after editing them)"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make data       regenerate data/ from the default seed"
	@echo "make bench      run the benchmarks and print their figures"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), \
	  f"Python 3.11 is needed, {sys.version.split()[0]} found: install 3.11 or run make PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml fedlearn_kit/jupyter/overrides.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@# JupyterLab fetches news and update checks from the web unless told not to: the
	@# course runs offline and a privacy course makes no calls it does not explain.
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp fedlearn_kit/jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) --port=$(PORT) --ServerApp.root_dir=$(CURDIR) \
	  --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check fedlearn_kit tests benchmarks

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks-test: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) notebooks solutions

test: $(STAMP)
	$(BIN)/ruff check fedlearn_kit tests benchmarks
	$(BIN)/python -m pytest tests $(NBVAL) notebooks solutions

notebooks: $(STAMP)
	$(BIN)/python -m fedlearn_kit.authoring execute notebooks solutions

exercises: $(STAMP)
	$(BIN)/python -m fedlearn_kit.authoring exercises

data: $(STAMP)
	$(BIN)/fedlearn-kit data --out data

bench: $(STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .flwr .pytest_cache
