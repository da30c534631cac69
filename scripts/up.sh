#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole system on its embedded defaults:
# data in ./data, the bus on 127.0.0.1:7700, the gateway on http://127.0.0.1:8080.
# It fills the system with a demo territory (shops, lots, beneficiaries, reservations, pickups).
# Extra arguments go to `ecoresupply up` (e.g. --matchers 3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build
exec .build/debug/ecoresupply up --seed-demo "$@"
