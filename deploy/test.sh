#!/usr/bin/env bash
# The whole check behind `make test` (and so CI): ruff, mypy, then pytest against a real Neo4j.
#   bash deploy/test.sh          lint + tests (on a private Neo4j started and removed here)
#   bash deploy/test.sh --lint   ruff + mypy only
# Extra arguments after `--` go to pytest. Runs every step even when one fails, then exits 1 if
# any did, so one CI run shows all problems. Expects deploy/setup.sh to have run.
# PYTEST_TIMEOUT (seconds, default 600) fails a single hung test instead of hanging CI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="$ROOT/.venv/bin/python"
# Typed code: the product packages plus the deploy scripts and the tests themselves.
MYPY_PATHS=(discovery graph api flows deploy tests)
FAILED=()

say() { printf '\n== %s\n' "$*" >&2; }

step() {
    local name="$1"
    shift
    say "$name: $*"
    if "$@"; then
        return 0
    fi
    FAILED+=("$name")
}

lint() {
    step ruff "$PY" -m ruff check .
    step mypy "$PY" -m mypy "${MYPY_PATHS[@]}"
}

# A private server per run (fresh data, own free port, own password), so `make test` never
# touches a server someone started by hand, and parallel runs cannot stop each other's server.
NEO4J_RUN_DIR=""

start_neo4j() {
    mkdir -p var
    NEO4J_RUN_DIR="$(mktemp -d "$ROOT/var/neo4j-test.XXXXXX")"
    "$PY" -m deploy.neo4j --run-dir "$NEO4J_RUN_DIR" start
    eval "$("$PY" -m deploy.neo4j --run-dir "$NEO4J_RUN_DIR" env)"
}

stop_neo4j() {
    if [ -n "$NEO4J_RUN_DIR" ]; then
        "$PY" -m deploy.neo4j --run-dir "$NEO4J_RUN_DIR" stop || true
        rm -rf "$NEO4J_RUN_DIR"
    fi
}

# pytest exit 5 means "no tests collected": for this project that is a failure, not a pass.
run_pytest() {
    local status=0
    "$PY" -m pytest -p no:cacheprovider -ra --timeout="${PYTEST_TIMEOUT:-600}" "$@" || status=$?
    if [ "$status" -eq 5 ]; then
        printf 'pytest collected no tests (exit 5): the suite must run tests\n' >&2
        return 1
    fi
    return "$status"
}

main() {
    local lint_only=0
    if [ "${1:-}" = "--lint" ]; then
        lint_only=1
        shift
    fi
    [ "${1:-}" = "--" ] && shift
    lint
    if [ "$lint_only" -eq 0 ]; then
        trap stop_neo4j EXIT
        trap 'exit 130' INT TERM # so that the EXIT trap stops Neo4j on Ctrl-C or kill too
        start_neo4j
        step pytest run_pytest "$@"
    fi
    if [ "${#FAILED[@]}" -gt 0 ]; then
        say "FAILED: ${FAILED[*]}"
        exit 1
    fi
    say "all checks passed"
}

main "$@"
