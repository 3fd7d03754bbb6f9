#!/usr/bin/env bash
# `make demo`: start the simulated lab, discover it into the embedded store, serve the API and
# the web page. The lab keeps running after the API stops (Ctrl-C); stop it with `make lab-stop`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEVICES="${DEMO_DEVICES:-30}"
HOST="${CMDB_API_HOST:-127.0.0.1}"
PORT="${CMDB_API_PORT:-8000}"
# snmpsim answers every simulated device from a few processes on 2 cores; more parallel
# sessions than it can serve only turn into timeouts.
export CMDB_SNMP_CONCURRENCY="${CMDB_SNMP_CONCURRENCY:-16}"

.venv/bin/python -m deploy.lab start --devices "$DEVICES"
.venv/bin/cmdb discover --inventory var/lab/inventory.yaml
TOKEN="$(.venv/bin/cmdb token create --role admin --name "demo-$(date +%Y%m%dT%H%M%S)")"
cat <<MSG

CMDB is discovered and about to be served:
  web page:  http://$HOST:$PORT/ui/   (sign in with the token below)
  API docs:  http://$HOST:$PORT/docs
  token:     $TOKEN   (role admin; more with: .venv/bin/cmdb token create --role viewer --name NAME)
Ctrl-C stops the API; then \`make lab-stop\` stops the lab.

MSG
exec .venv/bin/cmdb serve --host "$HOST" --port "$PORT"
