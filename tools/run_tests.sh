#!/usr/bin/env bash
# The project's test command: builds the environment if needed (see
# tools/setup_env.sh; a no-op when up to date), then runs the test suite.
#   bash tools/run_tests.sh [pytest args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
exec .venv/bin/python -m pytest tests -q "$@"
