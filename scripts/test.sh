#!/usr/bin/env bash
# Everything `make test` runs, in order, stopping at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false

echo "== dependencies (pip check)"
.venv/bin/python -m pip check

echo "== lint (ruff check, ruff format --check, mypy sotong/)"
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy sotong/

echo "== FAQ catalogue (sotong.faq.build --check)"
.venv/bin/python -m sotong.faq.build --check

echo "== training data and domain (rasa data validate --fail-on-warnings, see scripts/validate.py)"
.venv/bin/python scripts/validate.py 2>&1 | grep -E "^(WARNING|validation)"; [ "${PIPESTATUS[0]}" -eq 0 ]

echo "== conversation tests (rasa test core --fail-on-prediction-errors)"
DATABASE_URL="sqlite:///$(mktemp -d)/conv.db" SOTONG_ACTION_URL="http://127.0.0.1:1/webhook" \
  .venv/bin/rasa test core --stories tests/conversations --model models/sotong.tar.gz \
  --fail-on-prediction-errors --out results/conversations --quiet

echo "== browser (Debian chromium for tests/browser; installed when missing and root)"
bash scripts/install_browser.sh

echo "== nginx (Debian package, for the production profile's fault tests in tests/prod)"
bash scripts/install_nginx.sh

echo "== pytest: unit, database (SQLite + PostgreSQL), end-to-end, browser"
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest -q "$@"
fi
# tests/web builds a FastAPI app per test. In the same interpreter as the tests before it
# (which import Rasa and TensorFlow) each build spent ~98 % of its time in FastAPI's
# issubclass checks walking ABC hierarchies those imports fill, ~10x slower than alone
# (py-spy, 2026-11-30): the web tests run in a fresh interpreter.
# tests/nlu too: in the full run (13.5 GB process by then) the Okt (JVM) property test
# passed 120 examples alone in 8-16 s but hit pytest-timeout's 600 s.
.venv/bin/python -m pytest -q --ignore=tests/web --ignore=tests/nlu
echo "== pytest: tests/nlu (fresh interpreter)"
.venv/bin/python -m pytest -q tests/nlu
echo "== pytest: tests/web (fresh interpreter)"
.venv/bin/python -m pytest -q tests/web
