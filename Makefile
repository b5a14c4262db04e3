# fedlearn-kit: thin wrappers over course.py, which does the work on every platform
# (Windows and macOS need no make: `python course.py lab`, `python course.py test`).
#   make lab     first time: create .venv, install the locked set; open JupyterLab on the course
#   make test    install the developer tools too, then run every test (what .ci/run calls)
#   make check   the quick tier: ruff, mypy, unit tests without real processes or browsers

PYTHON ?= python3
COURSE := $(PYTHON) course.py
PY := .venv/bin/python
PORT ?=
ARGS ?=

.PHONY: help lab test check install lock bundle doctor notebooks exercises data bench flower-latest clean

help:
	@echo "make lab        set up (first time) and open the course in JupyterLab"
	@echo "make test       set up (first time) and run every test"
	@echo "make check      ruff, mypy and the quick unit tests (under 3 minutes)"
	@echo "make doctor     is this laptop ready for the course?"
	@echo "make bundle     facilitators: an offline bundle for the room's laptops"
	@echo "make lock       maintainers: regenerate lock/ from pyproject.toml"
	@echo "make notebooks  re-execute the course notebooks in place (after editing them)"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make data       regenerate the default cohort from its seed"
	@echo "make bench      run the benchmarks and print their figures"

lab:
	$(COURSE) lab $(if $(PORT),--port $(PORT))

test:
	$(COURSE) test $(ARGS)

check:
	$(COURSE) check $(ARGS)

install:
	$(COURSE) install --set dev

doctor:
	$(COURSE) doctor

bundle:
	$(COURSE) bundle

lock:
	$(COURSE) lock

notebooks: install
	$(PY) -m fedlearn_kit.authoring execute notebooks solutions

exercises: install
	$(PY) -m fedlearn_kit.authoring exercises

data: install
	$(PY) -m fedlearn_kit.cli data --out fedlearn_kit/data

bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf .venv .flwr .pytest_cache .mypy_cache build *.egg-info
