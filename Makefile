# Tracker Integrations: the whole developer workflow. `make dev` and `make test` are all a newcomer needs.
SHELL := /bin/bash
export SAM_CLI_TELEMETRY := 0
.DEFAULT_GOAL := help

# Lambda runs python3.13; on these machines it comes from pyenv, elsewhere from PATH.
PYTHON_BOOTSTRAP := $(shell PYENV_VERSION=3.13.0 python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null \
	|| python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install dev test unit lint typecheck validate build bench demo clean train-replies openapi

help:
	@echo "make dev       start the local stack on http://127.0.0.1:3000 (API, provider sandbox, web page)"
	@echo "make test      install what the tests need and run lint, type checks, template checks and the suite"
	@echo "make bench     print the benchmark figures beside their goals (.bench/results.json)"
	@echo "make demo      run the product plan's demo script against a fresh local stack, printing each step"
	@echo "make build     sam build (the deployable artefacts in .aws-sam/)"
	@echo "make openapi   regenerate openapi.json, the API's OpenAPI document, from the handlers"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON_BOOTSTRAP)" || { echo "python3.13 not found: install it (pyenv install 3.13.0)"; exit 1; }
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Each run: botocore's data cut to the services we call, for the botocore this venv has (see
# tracker_integrations/botocore_data.py; a fraction of a second, and right after any upgrade).
install: $(STAMP)
	@PYTHONPATH=layers/common $(PY) -m tracker_integrations.botocore_data

dev: install
	$(PY) -m local_stack

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy

validate: install
	$(VENV)/bin/sam validate --lint --region eu-west-2

unit: install
	$(VENV)/bin/pytest -q

test: lint typecheck validate unit

# The layer's cut botocore data is written from the botocore the build installed into it (never the
# dev venv's copy, which may be another version).
LAYER_BUILD := .aws-sam/build/CommonLayer/python
build: install
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/sam build --region eu-west-2
	rm -rf $(LAYER_BUILD)/tracker_integrations/_botocore_data
	PYTHONPATH=$(LAYER_BUILD) $(PY) -m tracker_integrations.botocore_data

bench: install
	$(PY) -m bench

# Refits the reply intent model on the train split of our own replies and writes its weights into the layer.
train-replies: install
	$(PY) -m bench.train_intent

# Starts its own local stack on a free port (with a throwaway state dir) and stops it at the end.
demo: install
	$(PY) -m local_stack.demo

# Regenerates openapi.json from the handlers (a test fails while the checked-in copy is stale).
openapi: install
	$(PY) -m local_stack.openapi

clean:
	rm -rf $(VENV) .aws-sam .bench .pytest_cache .mypy_cache .ruff_cache
