#!/usr/bin/env bash
# Create .venv with Python 3.10 (rasa 3.6 does not install on 3.11) and install
# the pinned dependency set. Idempotent; `make` calls it when requirements.lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  local candidates=(python3.10)
  if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -V -r); do
      candidates+=("$(pyenv root)/versions/$v/bin/python3.10")
    done
  fi
  candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
  for py in "${candidates[@]}"; do
    if "$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      echo "$py"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  PY=$(find_python310) || { echo "Python 3.10 is required (rasa 3.6.21 does not install on 3.11+). Install it, e.g. 'pyenv install 3.10'." >&2; exit 1; }
  echo "Creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip<25" wheel
echo "Installing pinned dependencies from requirements.lock (first time: ~2 min, ~3 GB)"
.venv/bin/python -m pip install --quiet -r requirements.lock
.venv/bin/python -m pip install --quiet --no-deps -e .
.venv/bin/python -m pip check
