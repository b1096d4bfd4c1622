# Social Selling Index: `make run` (the whole product here) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup run test test-unit test-integration bench bench-pipeline bench-ingest bench-api stop-test clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (found %s)" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with the pinned packages and the `ssi` CLI

run: setup ## Start Kafka, Postgres, the three services and a demo feed (Ctrl-C stops all)
	$(PY) deploy/stack.py up --profile dev

test: setup ## The whole suite: unit tests, then integration tests on a real Kafka and Postgres
	$(PY) -m pytest -q

test-unit: setup ## Unit tests only (no infrastructure)
	$(PY) -m pytest -q -m "not integration"

test-integration: setup ## Integration tests only
	$(PY) -m pytest -q -m integration

bench: bench-pipeline bench-ingest bench-api ## Every figure on this machine, each beside its ceiling (not part of `make test`)

bench-pipeline: setup ## Scorer (1 and 2 workers, 12-week and fresh reps), sink, end to end, freshness; raw consumer ceiling
	$(PY) tests/bench/bench_pipeline.py

bench-ingest: setup ## Ingest beside its ceilings (bare handler, raw Kafka producer) under wrk, 50 connections
	$(PY) tests/bench/bench_ingest.py

bench-api: setup ## Score and leaderboard reads at 500 requests/s beside a bare handler, under wrk, while events flow
	$(PY) tests/bench/bench_api.py

stop-test: ## Stop the test profile's Kafka and Postgres (left running between test runs only if SSI_KEEP_STACK=1)
	$(PY) deploy/stack.py down --profile test

clean: ## Remove the virtualenv and all local state (Kafka and Postgres data of every profile)
	-$(PY) deploy/stack.py down --profile dev
	-$(PY) deploy/stack.py down --profile test
	rm -rf $(VENV) .run .cache
