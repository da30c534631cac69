#!/usr/bin/env bash
# Installs what is missing, builds every executable and test, then runs every test (unit and
# integration). The integration tests start the executables from .build/debug, so they are built
# first; tests run one at a time, as each integration test starts a whole deployment. Then each fuzz
# target runs for 60 s (ECORESUPPLY_FUZZ_SECONDS).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --no-parallel
# Coverage-guided fuzzing of the parsers of hostile input, from the committed corpora (docs/reliability.md).
scripts/fuzz.sh all "${ECORESUPPLY_FUZZ_SECONDS:-60}"
