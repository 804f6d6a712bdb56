#!/usr/bin/env bash
# Start the whole stack on this machine: database set-up, action server, Rasa, web app, notifier.
#   scripts/run.sh          servers (REST, socket.io and Kakao channels, HTTP API behind a token)
#   scripts/run.sh shell    chat in the terminal instead
# Every service listens on 127.0.0.1 unless told otherwise (SOTONG_*_HOST), runs under
# scripts/supervise.py (a crashed one is restarted with back-off) and gets its secrets
# from the environment, never from its command line. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
# Token files, the SQLite database and anything else created from here: owner only.
umask 077
VAR="${SOTONG_VAR_DIR:-$PWD/var}"
mkdir -p "$VAR"
chmod go-rwx "$VAR"/sotong.db* 2>/dev/null || true  # databases made before umask 077 was set here
PY=.venv/bin/python

export DATABASE_URL="${DATABASE_URL:-sqlite:///$VAR/sotong.db}"
export SOTONG_ACTION_PORT="${SOTONG_ACTION_PORT:-5055}"
export SOTONG_RASA_PORT="${SOTONG_RASA_PORT:-5005}"
export SOTONG_ACTION_URL="${SOTONG_ACTION_URL:-http://127.0.0.1:${SOTONG_ACTION_PORT}/webhook}"
# The web app relays the resident page's chat turns to Rasa here (web/chat.py).
export SOTONG_RASA_URL="${SOTONG_RASA_URL:-http://127.0.0.1:${SOTONG_RASA_PORT}}"
# Handoffs left idle or still waiting at closing time are swept once a minute (web/console/handoff_sweep.py).
export SOTONG_HANDOFF_SWEEP_SECONDS="${SOTONG_HANDOFF_SWEEP_SECONDS:-60}"

# secret NAME FILE: use $NAME if set, else the random value kept in FILE (made once, 0600).
secret() {
  local name=$1 file=$2
  if [ -z "${!name:-}" ]; then
    [ -s "$file" ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file"
    chmod 600 "$file"  # also tightens files made by older versions of this script
    printf -v "$name" '%s' "$(cat "$file")"
  fi
  export "${name?}"
}
secret SOTONG_RASA_TOKEN "$VAR/rasa-token"          # HTTP API: injects messages, reads conversations
secret SOTONG_ACTION_SECRET "$VAR/action-secret"    # Rasa -> action server (X-Sotong-Action-Secret)
secret SOTONG_SESSION_SECRET "$VAR/session-secret"  # signs web chat session ids
secret SOTONG_WEB_CHANNEL_SECRET "$VAR/web-channel-secret"  # web app -> Rasa (X-Sotong-Web-Secret)

"$PY" -m sotong.cli setup

services=(
  "actions=$PY -m actions.server"
  # Stage notifications: 알림톡 when SOTONG_ALIMTALK_* is set, else the log; in-chat either way.
  "worker=$PY -m sotong.cli notifications worker"
  # Web app: the resident page (chat relayed to Rasa, 내 민원, quick menu) and the staff JSON API.
  "web=$PY -m web"
)

if [ "${1:-}" = "shell" ]; then
  "$PY" -m scripts.supervise "${services[@]}" &
  supervisor=$!
  trap 'kill -TERM "$supervisor" 2>/dev/null || true; wait "$supervisor" 2>/dev/null || true' EXIT
  "$PY" -m scripts.rasa_server shell -m models/sotong.tar.gz --endpoints endpoints.yml
  exit 0
fi

cat <<MSG

  Sotong is starting (the first start takes ~30 s while TensorFlow loads).
  REST:      curl -s localhost:${SOTONG_RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"여권 발급 필요서류"}'
  HTTP API:  curl -s localhost:${SOTONG_RASA_PORT}/status -H "Authorization: Bearer \$(cat ${VAR#"$PWD"/}/rasa-token)"
  Web page:  http://127.0.0.1:${SOTONG_WEB_PORT:-8000}/  (the resident page, on this machine: open it in a browser)
  Console:   http://127.0.0.1:${SOTONG_WEB_PORT:-8000}/console/ (first admin: .venv/bin/sotong staff create-admin admin)
  Database:  ${DATABASE_URL%%\?*}
  Listening on ${SOTONG_RASA_HOST:-127.0.0.1} (Rasa), ${SOTONG_ACTION_HOST:-127.0.0.1} (actions), ${SOTONG_WEB_HOST:-127.0.0.1} (web).
  A crashed service is restarted (1 s, 2 s, … 30 s apart). Ctrl-C stops everything.

MSG
exec "$PY" -m scripts.supervise "${services[@]}" \
  "rasa=$PY -m scripts.rasa_server run -m models/sotong.tar.gz --cors '*' --credentials credentials.yml --endpoints endpoints.yml"
