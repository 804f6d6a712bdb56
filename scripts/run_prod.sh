#!/usr/bin/env bash
# `make run-prod`: the production profile on one machine (docs/production.md).
#   nginx (public front :8080, Rasa API :5005, actions :5055, all on 127.0.0.1)
#   2 Rasa replicas (:5105, :5106) on PostgreSQL (tracker store) + Redis (lock store, Kakao state)
#   2 action servers (:5155, :5156), the web app (:8000), the notification worker
#   SOTONG_RASA_REPLICAS=1: one Rasa + one action server behind the same nginx (nothing else changes)
# Every service runs under scripts/supervise.py (a crashed one comes back) with its secrets in the
# environment, never on a command line; logs go to var/prod/logs/<service>.log. Ctrl-C stops all.
# Point at other servers with DATABASE_URL and SOTONG_REDIS_URL (README, "Production profile").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export PYTHONPATH="$ROOT" TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
umask 077
PY=.venv/bin/python
VAR="${SOTONG_VAR_DIR:-$ROOT/var}"
PROD="$VAR/prod"
LOGS="${SOTONG_PROD_LOG_DIR:-$PROD/logs}"
mkdir -p "$VAR" "$PROD" "$LOGS"

NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$NGINX" ]; then
  echo "run-prod: nginx is missing: scripts/install_nginx.sh installs Debian's (as root)" >&2
  exit 1
fi

# --- the shared services (already running on this machine; README says how to point elsewhere) ---
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/sotong}"
export SOTONG_REDIS_URL="${SOTONG_REDIS_URL:-redis://127.0.0.1:6379/0}"
# Rasa's lock store takes host and port, not a URL.
redis_hostport="${SOTONG_REDIS_URL#*://}"; redis_hostport="${redis_hostport##*@}"; redis_hostport="${redis_hostport%%/*}"
export SOTONG_REDIS_HOST="${SOTONG_REDIS_HOST:-${redis_hostport%%:*}}"
export SOTONG_REDIS_PORT="${SOTONG_REDIS_PORT:-$([[ $redis_hostport == *:* ]] && echo "${redis_hostport##*:}" || echo 6379)}"
export SOTONG_LOCK_REDIS_DB="${SOTONG_LOCK_REDIS_DB:-1}"
export SOTONG_LOCK_KEY_PREFIX="${SOTONG_LOCK_KEY_PREFIX:-sotong}"
# The KakaoTalk channel's held answers, pages and retry de-dup, shared by the replicas.
export SOTONG_KAKAO_STATE=redis

# PostgreSQL's 100 connections (3 kept for superusers), per process at most pool + overflow:
#   per replica: Rasa tracker store 4+4, Rasa's civic-core engine 3+3, its action server 3+3 = 20
#   3 replicas = 60, web app 6, worker 6: 72, leaving room for psql, migrations and backups.
export SQL_POOL_SIZE="${SQL_POOL_SIZE:-4}" SQL_MAX_OVERFLOW="${SQL_MAX_OVERFLOW:-4}"
export SOTONG_DB_POOL_SIZE="${SOTONG_DB_POOL_SIZE:-3}" SOTONG_DB_MAX_OVERFLOW="${SOTONG_DB_MAX_OVERFLOW:-3}"

# --- ports (all on 127.0.0.1) ------------------------------------------------------------------
FRONT_PORT="${SOTONG_PROD_PORT:-8080}"
export SOTONG_RASA_PORT="${SOTONG_RASA_PORT:-5005}"      # nginx -> both Rasa replicas
export SOTONG_ACTION_PORT="${SOTONG_ACTION_PORT:-5055}"  # nginx -> both action servers
# How many Rasa replicas, each with its own action server. 1 exists to measure what the second one
# buys (scripts/bench_prod.py); a district runs 2, so that one can die or be rolled.
REPLICAS="${SOTONG_RASA_REPLICAS:-2}"
case "$REPLICAS" in
  1 | 2) ;;
  *) echo "run-prod: SOTONG_RASA_REPLICAS must be 1 or 2, not '$REPLICAS'" >&2; exit 1 ;;
esac
read -r -a RASA_PORTS <<< "${SOTONG_RASA_REPLICA_PORTS:-5105 5106}"
read -r -a ACTION_PORTS <<< "${SOTONG_ACTION_REPLICA_PORTS:-5155 5156}"
if (( ${#RASA_PORTS[@]} < REPLICAS || ${#ACTION_PORTS[@]} < REPLICAS )); then
  echo "run-prod: SOTONG_RASA_REPLICA_PORTS and SOTONG_ACTION_REPLICA_PORTS need $REPLICAS port(s) each" >&2
  exit 1
fi
RASA_PORTS=("${RASA_PORTS[@]:0:REPLICAS}")
ACTION_PORTS=("${ACTION_PORTS[@]:0:REPLICAS}")
export SOTONG_WEB_PORT="${SOTONG_WEB_PORT:-8000}"
export SOTONG_ACTION_URL="http://127.0.0.1:${SOTONG_ACTION_PORT}/webhook"
export SOTONG_RASA_URL="http://127.0.0.1:${SOTONG_RASA_PORT}"
# What must reach every replica, not whichever nginx picks: a model the studio publishes.
replica_urls=()
for port in "${RASA_PORTS[@]}"; do replica_urls+=("http://127.0.0.1:${port}"); done
export SOTONG_RASA_REPLICA_URLS="${replica_urls[*]}"
# socket.io pushes across replicas and the per-sender message limit, shared through Redis
# (connectors/socketio_fleet.py, sotong/ratelimit_shared.py); both fall back to memory without it.
export SOTONG_SOCKETIO_REDIS_URL="${SOTONG_SOCKETIO_REDIS_URL:-$SOTONG_REDIS_URL}"
export SOTONG_SOCKETIO_REDIS_CHANNEL="${SOTONG_SOCKETIO_REDIS_CHANNEL:-${SOTONG_LOCK_KEY_PREFIX}-socketio}"
export SOTONG_RATE_REDIS_URL="${SOTONG_RATE_REDIS_URL:-$SOTONG_REDIS_URL}"
export SOTONG_RATE_REDIS_PREFIX="${SOTONG_RATE_REDIS_PREFIX:-${SOTONG_LOCK_KEY_PREFIX}:rate:}"

# secret NAME FILE: $NAME if set, else the random value kept in FILE (made once, 0600); as run.sh.
secret() {
  local name=$1 file=$2
  if [ -z "${!name:-}" ]; then
    [ -s "$file" ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file"
    chmod 600 "$file"
    printf -v "$name" '%s' "$(cat "$file")"
  fi
  export "${name?}"
}
secret SOTONG_RASA_TOKEN "$VAR/rasa-token"
secret SOTONG_ACTION_SECRET "$VAR/action-secret"
secret SOTONG_SESSION_SECRET "$VAR/session-secret"
secret SOTONG_WEB_CHANNEL_SECRET "$VAR/web-channel-secret"

"$PY" deploy/preflight.py services
"$PY" -m sotong.cli setup

# nginx's config from deploy/nginx/sotong.conf, its files under var/prod/nginx.
NGINX_DIR="$PROD/nginx"
mkdir -p "$NGINX_DIR/tmp"
export SOTONG_NGINX_RUN_USER="$(id -un)" SOTONG_NGINX_NGINX_DIR="$NGINX_DIR" SOTONG_NGINX_ROOT="$ROOT" SOTONG_NGINX_FRONT_PORT="$FRONT_PORT" \
  SOTONG_NGINX_RASA_PORT="$SOTONG_RASA_PORT" SOTONG_NGINX_ACTION_PORT="$SOTONG_ACTION_PORT" \
  SOTONG_NGINX_WEB_PORT="$SOTONG_WEB_PORT" \
  SOTONG_NGINX_RASA_SERVERS="${RASA_PORTS[*]}" SOTONG_NGINX_ACTION_SERVERS="${ACTION_PORTS[*]}"
"$PY" deploy/preflight.py nginx-conf "$NGINX_DIR/nginx.conf"
"$NGINX" -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"

# Each replica's own port comes through env(1): only port numbers on the command line.
rasa_cmd="$PY -m scripts.rasa_server run -m models/sotong.tar.gz --cors '*' --credentials credentials.yml --endpoints endpoints.prod.yml"
services=("nginx=$NGINX -p $NGINX_DIR -c $NGINX_DIR/nginx.conf -e $NGINX_DIR/error.log -g 'daemon off;'")
for i in "${!ACTION_PORTS[@]}"; do
  services+=("actions$((i + 1))=env SOTONG_ACTION_PORT=${ACTION_PORTS[i]} $PY -m actions.server")
done
for i in "${!RASA_PORTS[@]}"; do
  services+=("rasa$((i + 1))=env SOTONG_RASA_PORT=${RASA_PORTS[i]} $rasa_cmd")
done
services+=("worker=$PY -m sotong.cli notifications worker" "web=$PY -m web")

cat <<MSG

  Sotong, production profile: ${REPLICAS} Rasa replica(s) (the first start takes a minute while they load TensorFlow).
  Residents:   http://127.0.0.1:${FRONT_PORT}/  (web page; KakaoTalk skill URL: /webhooks/kakao/webhook)
  Console:     http://127.0.0.1:${FRONT_PORT}/console/
  Rasa API:    http://127.0.0.1:${SOTONG_RASA_PORT}/status (any replica: ${RASA_PORTS[*]}; Bearer token in ${VAR#"$ROOT"/}/rasa-token)
  Database:    ${DATABASE_URL%%\?*}
  Redis:       ${SOTONG_REDIS_URL}
  Logs:        ${LOGS#"$ROOT"/}/<service>.log, nginx: ${NGINX_DIR#"$ROOT"/}/access.log
  New model:   \`make train\`, then \`.venv/bin/python deploy/roll.py\` (restarts the replicas one at a time).
  Ctrl-C stops everything.

MSG
exec "$PY" -m scripts.supervise --log-dir "$LOGS" --give-up-after "${SOTONG_GIVE_UP_AFTER:-0}" "${services[@]}"
