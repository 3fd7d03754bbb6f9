#!/usr/bin/env bash
# `make demo`: start the simulated lab, discover it into the embedded store, serve the API.
# The lab keeps running after the API stops (Ctrl-C); stop it with `make lab-stop`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEVICES="${DEMO_DEVICES:-30}"
HOST="${CMDB_API_HOST:-127.0.0.1}"
PORT="${CMDB_API_PORT:-8000}"

.venv/bin/python -m deploy.lab start --devices "$DEVICES"
.venv/bin/cmdb discover --inventory var/lab/inventory.yaml
printf '\nCMDB API: http://%s:%s/  (Ctrl-C to stop; then `make lab-stop`)\n\n' "$HOST" "$PORT"
exec .venv/bin/cmdb serve
