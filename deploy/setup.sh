#!/usr/bin/env bash
# Idempotent setup of a fresh Debian 12 machine for this project; safe to run before every
# `make test`/`make demo`: each step is skipped quickly when already done.
#   1. Debian packages (apt-get; `apt-get update` only when a missing package has no candidate)
#   2. .venv with Python >= 3.11 and `pip install -e '.[dev]'` (redone only when pyproject changes)
#   3. the Neo4j server jars from Maven Central (deploy/neo4j/cache, redone only when its pom changes)
# Non-interactive: needs no stdin. Needs root (or sudo) only when packages are missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Every Debian package the project needs, in one place: add yours here.
#   snmp/snmpd: net-snmp tools (snmpwalk, snmpbulkwalk) and the real Linux agent of the lab
#   openssh-*: sshd for the lab's Linux hosts, ssh client for checks
#   openjdk/maven: run and fetch the Neo4j test server
#   python3*: the interpreter for .venv on a machine without another Python 3.11
APT_PACKAGES=(
    snmp snmpd
    openssh-server openssh-client
    iproute2 socat procps ca-certificates
    openjdk-17-jdk-headless maven
    python3 python3-venv python3-dev
    chromium chromium-driver
)

VENV="$ROOT/.venv"
VENV_STAMP="$VENV/.cmdb-installed"

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        say "need root to run: $*"
        return 1
    fi
}

missing_packages() {
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' \
            || printf '%s\n' "$pkg"
    done
}

# True when apt knows an installable version of every package given (lists are fresh enough).
apt_has_candidates() {
    local pkg
    for pkg in "$@"; do
        apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]' || return 1
    done
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        say "Debian packages present"
        return
    fi
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)
    if ! apt_has_candidates "${missing[@]}"; then
        as_root "${apt[@]}" update </dev/null
    fi
    as_root env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends \
        "${missing[@]}" </dev/null
}

# The first Python >= 3.11 found: $PYTHON, then python3.11, python3.12, python3.
pick_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    say "no Python >= 3.11 found"
    return 1
}

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        local python
        python="$(pick_python)"
        say "creating .venv with $python"
        "$python" -m venv "$VENV"
    fi
    local digest
    digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ -f "$VENV_STAMP" ] && [ "$(cat "$VENV_STAMP")" = "$digest" ]; then
        say "Python packages up to date"
        return
    fi
    say "installing Python packages (pip install -e '.[dev]')"
    "$VENV/bin/python" -m pip install -q --upgrade pip </dev/null
    "$VENV/bin/python" -m pip install -q -e '.[dev]' </dev/null
    printf '%s\n' "$digest" >"$VENV_STAMP"
}

fetch_neo4j() {
    "$VENV/bin/python" -m deploy.neo4j fetch
}

install_packages
setup_venv
fetch_neo4j
say "done"
