#!/usr/bin/env bash
# Start the whole stack on this machine: database set-up, action server, Rasa.
#   scripts/run.sh          servers (REST, socket.io and Kakao channels, HTTP API behind a token)
#   scripts/run.sh shell    chat in the terminal instead
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
mkdir -p var

export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/sotong.db}"
export SOTONG_ACTION_PORT="${SOTONG_ACTION_PORT:-5055}"
export SOTONG_RASA_PORT="${SOTONG_RASA_PORT:-5005}"
export SOTONG_ACTION_URL="${SOTONG_ACTION_URL:-http://127.0.0.1:${SOTONG_ACTION_PORT}/webhook}"
if [ -z "${SOTONG_RASA_TOKEN:-}" ]; then
  # The HTTP API can inject messages and read conversations: never run it open.
  [ -s var/rasa-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' > var/rasa-token
  SOTONG_RASA_TOKEN=$(cat var/rasa-token)
fi
export SOTONG_RASA_TOKEN
if [ -z "${SOTONG_STAFF_TOKEN:-}" ]; then
  # The staff API changes complaints: it is closed unless a token is set.
  [ -s var/staff-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' > var/staff-token
  SOTONG_STAFF_TOKEN=$(cat var/staff-token)
fi
export SOTONG_STAFF_TOKEN

.venv/bin/python -m sotong.cli setup

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

setsid .venv/bin/rasa run actions --port "$SOTONG_ACTION_PORT" --actions actions &
pids+=($!)
# Stage notifications: 알림톡 when SOTONG_ALIMTALK_* is set, else the log; in-chat either way.
setsid .venv/bin/python -m sotong.cli notifications worker &
pids+=($!)
# Web app: the staff JSON API (and later the resident web page and staff console).
setsid .venv/bin/python -m web &
pids+=($!)

if [ "${1:-}" = "shell" ]; then
  .venv/bin/rasa shell -m models/sotong.tar.gz --endpoints endpoints.yml
  exit 0
fi

setsid .venv/bin/rasa run -m models/sotong.tar.gz --port "$SOTONG_RASA_PORT" \
  --enable-api --auth-token "$SOTONG_RASA_TOKEN" --cors "*" \
  --credentials credentials.yml --endpoints endpoints.yml &
pids+=($!)

cat <<MSG

  Sotong is starting (the first start takes ~30 s while TensorFlow loads).
  REST:      curl -s localhost:${SOTONG_RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"여권 발급 필요서류"}'
  HTTP API:  token in var/rasa-token (or \$SOTONG_RASA_TOKEN)
  Staff API: curl -s localhost:${SOTONG_WEB_PORT:-8000}/api/staff/complaints -H "Authorization: Bearer \$(cat var/staff-token)"
  Database:  ${DATABASE_URL%%\?*}
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
