# Entry points; the README's two commands are `make demo` and `make test` (.ci/run calls the latter).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PY := .venv/bin/python

.PHONY: setup test lint demo neo4j-start neo4j-stop neo4j-reset lab-start lab-stop

## setup: Debian packages, .venv with the project, Neo4j jars (idempotent, fast when done)
setup:
	bash deploy/setup.sh

## test: setup, then ruff + mypy + pytest against a real Neo4j (started and stopped here)
test: setup
	bash deploy/test.sh

## lint: ruff + mypy only
lint: setup
	bash deploy/test.sh --lint

## demo: discover the simulated lab into the embedded store and serve the API on 127.0.0.1:8000
demo: setup
	bash deploy/demo.sh

neo4j-start: setup
	$(PY) -m deploy.neo4j start
	@echo 'export the connection with: eval "$$($(PY) -m deploy.neo4j env)"'

neo4j-stop:
	$(PY) -m deploy.neo4j stop

neo4j-reset: setup
	$(PY) -m deploy.neo4j reset

lab-start: setup
	$(PY) -m deploy.lab start

lab-stop:
	$(PY) -m deploy.lab stop
