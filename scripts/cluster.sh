#!/usr/bin/env bash
# The production shape on one machine, on loopback: PostgreSQL, Redis, the action server,
# N Rasa replicas (python -m bot.production.serve) and nginx as the load balancer.
#
#   scripts/cluster.sh up                  start everything, wait; Ctrl-C stops it all
#   scripts/cluster.sh start | stop | status
#   scripts/cluster.sh kill-replica I | start-replica I      (faults, for the tests)
#   scripts/cluster.sh stop-actions | start-actions | restart-postgres | stop-redis | start-redis
#   scripts/cluster.sh use-replicas N      (nginx balances over the first N replicas only)
#
# Settings (environment): REPLICAS (2), CLUSTER_PORT (28080, public), ADMIN_PORT (28081, API),
# RATE_LIMIT_PER_SENDER / RATE_LIMIT_PER_IP (the channel's), NGINX_RATE (per IP, e.g. 20r/s).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-.venv}
STATE=${CLUSTER_STATE:-$ROOT/.run/cluster}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
REPLICAS=${REPLICAS:-2}
# Fixed ports stay below 32768: above, the kernel hands them out to outgoing connections (bind fails).
CLUSTER_PORT=${CLUSTER_PORT:-28080}
ADMIN_PORT=${ADMIN_PORT:-28081}
PG_PORT=${PG_PORT:-25432}
REDIS_PORT=${REDIS_PORT:-26379}
ACTION_PORT=${ACTION_PORT:-25055}
FIRST_REPLICA_PORT=${FIRST_REPLICA_PORT:-25100}
NGINX_RATE=${NGINX_RATE:-20r/s}
NGINX_BURST=${NGINX_BURST:-40}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

log() { echo "[cluster] $*"; }

install_services() {
  if [ -x "$PG_BIN/initdb" ] && command -v redis-server >/dev/null && command -v nginx >/dev/null; then return; fi
  log "Installing Debian's postgresql, redis-server and nginx..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql redis-server nginx >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
}

as_postgres() {  # PostgreSQL refuses to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

write_secrets() {
  [ -f "$STATE/env" ] && return
  local py="$VENV/bin/python"
  cat > "$STATE/env" <<EOF
export RASA_API_TOKEN=$($py -c 'import secrets; print(secrets.token_urlsafe(32))')
export DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_NAME=rasa DB_USER=rasa
export DB_PASSWORD=$($py -c 'import secrets; print(secrets.token_urlsafe(24))')
export REDIS_HOST=127.0.0.1 REDIS_PORT=$REDIS_PORT REDIS_DB=1
export REDIS_PASSWORD=$($py -c 'import secrets; print(secrets.token_urlsafe(24))')
export ACTION_SERVER_URL=http://127.0.0.1:$ACTION_PORT/webhook
export WIDGET_ALLOWED_ORIGINS=\${WIDGET_ALLOWED_ORIGINS:-http://localhost:$CLUSTER_PORT}
EOF
  chmod 600 "$STATE/env"
}

start_postgres() {
  local data=$STATE/pg
  if [ ! -d "$data" ]; then
    mkdir -p "$data" "$STATE/pg-socket" && chown postgres "$data" "$STATE/pg-socket" 2>/dev/null || true
    as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$STATE/pg-socket/postgres.log" -w \
      -o "-p $PG_PORT -k $STATE/pg-socket -c listen_addresses=127.0.0.1" start >/dev/null
    as_postgres "$PG_BIN/psql" -q -h "$STATE/pg-socket" -p "$PG_PORT" -U postgres \
      -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null
  else
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$STATE/pg-socket/postgres.log" -w \
      -o "-p $PG_PORT -k $STATE/pg-socket -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
}

stop_postgres() { [ -d "$STATE/pg" ] && as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null 2>&1 || true; }

start_redis() {
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --requirepass "$REDIS_PASSWORD" --save '' --appendonly no \
    --daemonize yes --pidfile "$STATE/redis.pid" --logfile "$STATE/logs/redis.log" --dir "$STATE"
  until redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning ping >/dev/null 2>&1; do sleep 0.2; done
  log "Redis on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning shutdown nosave >/dev/null 2>&1 || true
  rm -f "$STATE/redis.pid"
}

start_background() {  # name, command...
  local name=$1; shift
  nohup "$@" >"$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/$name.pid"
}

stop_pid() {  # name [signal]
  local file=$STATE/$1.pid
  [ -f "$file" ] || return 0
  kill "-${2:-TERM}" "$(cat "$file")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$file")" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$(cat "$file")" 2>/dev/null || true
  rm -f "$file"
}

start_actions() {
  start_background actions "$VENV/bin/python" -m actions --port "$ACTION_PORT"
  until curl -fs "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1; do sleep 0.5; done
  log "action server on 127.0.0.1:$ACTION_PORT"
}

start_replica() {
  local i=$1 port=$((FIRST_REPLICA_PORT + $1))
  RASA_PORT=$port start_background "replica$i" "$VENV/bin/python" -m bot.production.serve
}

wait_replica() {
  local i=$1 port=$((FIRST_REPLICA_PORT + $1))
  until curl -fs "http://127.0.0.1:$port/status?token=$RASA_API_TOKEN" 2>/dev/null | grep -q model_id; do
    kill -0 "$(cat "$STATE/replica$i.pid")" 2>/dev/null || { tail -20 "$STATE/logs/replica$i.log" >&2; return 1; }
    sleep 1
  done
  log "replica $i on 127.0.0.1:$port"
}

write_nginx_config() {  # the load balancer: only the webhooks and the health check are public
  local upstreams=""
  for i in $(seq "$REPLICAS"); do upstreams+="    server 127.0.0.1:$((FIRST_REPLICA_PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'; done
  mkdir -p "$STATE/nginx"
  cat > "$STATE/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $STATE/nginx/nginx.pid;
events { worker_connections 2048; }
http {
  access_log off;
  client_max_body_size 64k;
  limit_req_zone \$binary_remote_addr zone=per_ip:10m rate=$NGINX_RATE;
  limit_req_status 429;
  upstream rasa {
$upstreams    keepalive 64;
  }
  server {
    listen 127.0.0.1:$CLUSTER_PORT;
    location /webhooks/ {
      limit_req zone=per_ip burst=$NGINX_BURST nodelay;
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_read_timeout 60s;
    }
    location = / { proxy_pass http://rasa/webhooks/rest/; }  # health, without telling the Rasa version
    location / { default_type application/json; return 404 '{"error": "not found"}'; }
    error_page 429 = @too_many;
    location @too_many {
      default_type application/json;
      add_header Retry-After 5 always;
      return 429 '[{"recipient_id": null, "text": "You are sending messages faster than I can answer. Please wait a few seconds and try again."}]';
    }
  }
  server {
    listen 127.0.0.1:$ADMIN_PORT;
    location / {
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Real-IP \$remote_addr;
    }
  }
}
NGINX
}

start_nginx() {
  write_nginx_config
  nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log"
  log "nginx: public http://127.0.0.1:$CLUSTER_PORT (webhooks only), API http://127.0.0.1:$ADMIN_PORT (token)"
}

stop_nginx() {  # graceful first; a quit can wait on open connections, so then fast, then kill
  local file=$STATE/nginx/nginx.pid master workers
  [ -f "$file" ] || return 0
  master=$(cat "$file")
  workers=$(pgrep -P "$master" || true)
  for signal in QUIT TERM KILL; do
    kill "-$signal" "$master" 2>/dev/null || break
    # a killed master leaves its workers holding the ports
    if [ "$signal" = KILL ] && [ -n "$workers" ]; then kill -KILL $workers 2>/dev/null || true; fi
    for _ in $(seq 25); do kill -0 "$master" 2>/dev/null || break 2; sleep 0.2; done
  done
  rm -f "$file"
}

load_env() { mkdir -p "$STATE/logs"; write_secrets; set -a; source "$STATE/env"; set +a; }

start_all() {
  [ -f models/current.tar.gz ] || { echo "No trained model: run make train first." >&2; exit 1; }
  install_services
  load_env
  start_postgres
  start_redis
  start_actions
  for i in $(seq "$REPLICAS"); do start_replica "$i"; done
  for i in $(seq "$REPLICAS"); do wait_replica "$i"; done
  start_nginx
  log "ready: $REPLICAS replicas behind http://127.0.0.1:$CLUSTER_PORT; secrets in $STATE/env"
}

stop_all() {
  load_env
  stop_nginx
  for file in "$STATE"/replica*.pid; do [ -e "$file" ] && stop_pid "$(basename "$file" .pid)"; done
  stop_pid actions
  stop_redis
  stop_postgres
  log "stopped"
}

status() {
  load_env
  for name in actions $(for i in $(seq "$REPLICAS"); do echo "replica$i"; done); do
    if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then log "$name: running"
    else log "$name: stopped"; fi
  done
  redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning ping >/dev/null 2>&1 && log "redis: running" || log "redis: stopped"
  [ -d "$STATE/pg" ] && as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg" status >/dev/null 2>&1 && log "postgres: running" || log "postgres: stopped"
  [ -f "$STATE/nginx/nginx.pid" ] && log "nginx: running" || log "nginx: stopped"
}

case "${1:-up}" in
  up) trap stop_all INT TERM; start_all; log "Ctrl-C stops everything"; while true; do sleep 3600 & wait $!; done ;;
  start) start_all ;;
  stop) stop_all ;;
  status) status ;;
  kill-replica) load_env; stop_pid "replica$2" KILL ;;
  start-replica) load_env; start_replica "$2"; wait_replica "$2" ;;
  stop-actions) load_env; stop_pid actions ;;
  start-actions) load_env; start_actions ;;
  pause-actions) load_env; kill -STOP "$(cat "$STATE/actions.pid")" ;;   # answers nothing, holds every call
  resume-actions) load_env; kill -CONT "$(cat "$STATE/actions.pid")" ;;
  restart-postgres) load_env; stop_postgres; start_postgres ;;
  stop-redis) load_env; stop_redis ;;
  use-replicas) load_env; REPLICAS=$2 write_nginx_config; nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" \
    -e "$STATE/logs/nginx-error.log" -s reload; sleep 1; log "nginx balances over replicas 1..$2" ;;
  start-redis) load_env; start_redis ;;
  *) echo "usage: $0 up|start|stop|status|kill-replica I|start-replica I|stop-actions|start-actions|pause-actions|resume-actions|restart-postgres|stop-redis|start-redis|use-replicas N" >&2; exit 2 ;;
esac
