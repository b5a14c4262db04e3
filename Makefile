# fedlearn-kit: thin wrappers over course.py, which does the work on every platform
# (Windows and macOS need no make: `python course.py lab`, `python course.py test`).
#   make lab     first time: create .venv, install the locked set; open JupyterLab on the course
#   make test    install the developer tools too, then run every test tier (what .ci/run calls)
#   make test TIER=integration   one tier (unit, integration, notebooks, e2e, scale; or several,
#                comma-separated)
#   make check   the quick tier: ruff, mypy, tests/unit (no process, kernel or browser)

PYTHON ?= python3
COURSE := $(PYTHON) course.py
PY := .venv/bin/python
PORT ?=
ARGS ?=
TIER ?=

.PHONY: help lab test check install lock bundle doctor notebooks exercises data bench flower-latest clean

help:
	@echo "make lab        set up (first time) and open the course in JupyterLab"
	@echo "make test       set up (first time) and run every test tier"
	@echo "make test TIER=integration   one tier: unit, integration, notebooks, e2e, scale"
	@echo "make check      ruff, mypy and the unit tier (under 3 minutes)"
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
	$(COURSE) test $(if $(TIER),--tier $(TIER)) $(ARGS)

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
	$(PY) -m tools.authoring execute notebooks solutions

exercises: install
	$(PY) -m tools.authoring exercises

data: install
	$(PY) -m fedlearn_kit.cli data --out data

bench: install
	@for script in $(filter-out benchmarks/__init__.py,$(wildcard benchmarks/*.py)); do \
	  echo "== $$script"; $(PY) -m benchmarks.$$(basename $$script .py) || exit 1; done

# Maintainers: the Flower tests against the newest Flower release, in an environment of their
# own (.venv-flower-latest), so the course's pinned .venv stays as locked.
flower-latest:
	$(COURSE) install --set dev --venv .venv-flower-latest
	.venv-flower-latest/bin/python -m pip install --upgrade "flwr[simulation]"
	.venv-flower-latest/bin/python -m pytest -n auto --dist loadfile \
	  $(wildcard tests/*/test_federation_*.py tests/*/test_flower_contract.py tests/*/test_deploy_*.py)

clean:
	rm -rf .venv .venv-flower-latest .flwr .pytest_cache .mypy_cache build *.egg-info
