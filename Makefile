# Social Selling Index: `make run` (the whole product here) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup run test test-unit test-integration bench bench-pipeline bench-ingest bench-api stop-test clean validity validity-disk prometheus-tools prometheus

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

test: setup prometheus-tools ## The whole suite: unit tests, then integration tests on a real Kafka and Postgres
	$(PY) -m pytest -q

test-unit: setup prometheus-tools ## Unit tests only (no infrastructure)
	$(PY) -m pytest -q -m "not integration"

test-integration: setup prometheus-tools ## Integration tests only
	$(PY) -m pytest -q -m integration

prometheus-tools: ## Debian's prometheus package (prometheus, promtool) for the tests, installed when missing (as root)
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || \
	  SSI_COMPONENT=prometheus bash -c 'source deploy/common.sh && apt_install prometheus' || \
	  { echo "prometheus and promtool are needed: install Debian's prometheus package" >&2; exit 1; }

prometheus: setup prometheus-tools ## A real Prometheus on http://127.0.0.1:8009 scraping `make run`'s stack, with the alert rules
	$(PY) deploy/prometheus_local.py --profile dev

bench: bench-pipeline bench-ingest bench-api ## Every figure on this machine, each beside its ceiling (not part of `make test`)

bench-pipeline: setup ## Scorer (1 and 2 workers, 12-week and fresh reps), sink, end to end, freshness; raw consumer ceiling
	$(PY) tests/bench/bench_pipeline.py

bench-ingest: setup ## Ingest beside its ceilings (bare handler, raw Kafka producer) under wrk, 50 connections
	$(PY) tests/bench/bench_ingest.py

validity: setup ## ssi-v2 beside ssi-v3 on synthetic worlds with known truth (seeds, sizes); exit 1 if v3 misses a target
	$(PY) -m tests.validity.run

validity-disk: setup ## Disk per million activity events on the test broker (needs the test profile's Kafka up)
	$(PY) -m tests.validity.disk_cost

bench-api: setup ## Score and leaderboard reads at 500 requests/s beside a bare handler, under wrk, while events flow
	$(PY) tests/bench/bench_api.py

stop-test: ## Stop the test profile's Kafka and Postgres (left running between test runs only if SSI_KEEP_STACK=1)
	$(PY) deploy/stack.py down --profile test

clean: ## Remove the virtualenv and all local state (Kafka and Postgres data of every profile)
	-$(PY) deploy/stack.py down --profile dev
	-$(PY) deploy/stack.py down --profile test
	rm -rf $(VENV) .run .cache
