#!/usr/bin/env bash
# Starts the action server and the Rasa server (or `rasa shell` with "shell"); Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${MODEL:-models/current.tar.gz}
mode=${1:-server}

if [ -z "${RASA_API_TOKEN:-}" ]; then
  RASA_API_TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
  echo "RASA_API_TOKEN was not set; this run's API token is: $RASA_API_TOKEN"
fi

endpoints=$(mktemp --suffix=.yml)
sed "s#localhost:5055#localhost:${ACTION_PORT}#" endpoints.yml > "$endpoints"
# credentials.yml plus each messaging channel whose environment variables are set.
credentials=$(mktemp --suffix=.yml)
"$VENV/bin/python" -m bot.credentials "$credentials"

# Sanic would read bodies up to 100 MB before the channel's 64 KB check refuses them.
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1000000}
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$endpoints" "$credentials"
}
trap stop INT TERM EXIT

"$VENV/bin/rasa" run actions --port "$ACTION_PORT" --actions actions >/dev/null 2>&1 &
pids+=($!)

if [ "$mode" = shell ]; then
  "$VENV/bin/rasa" shell --model "$MODEL" --endpoints "$endpoints"
  exit 0
fi

# Web pages allowed to embed the widget (the clinic's settings), never "*".
read -r -a origins <<< "$("$VENV/bin/python" -m bot.widget_channel)"
cors=()
[ ${#origins[@]} -gt 0 ] && cors=(--cors "${origins[@]}")

"$VENV/bin/rasa" run --model "$MODEL" --endpoints "$endpoints" --credentials "$credentials" \
  --port "$RASA_PORT" --enable-api --auth-token "$RASA_API_TOKEN" "${cors[@]}" &
pids+=($!)

until curl -fs "http://localhost:${RASA_PORT}/status?token=${RASA_API_TOKEN}" >/dev/null 2>&1; do
  kill -0 "${pids[1]}" 2>/dev/null || { echo "The Rasa server stopped; see the messages above." >&2; exit 1; }
  sleep 1
done
cat <<MSG

The assistant is ready.
  Try the chat widget in a browser:  http://localhost:${RASA_PORT}/webhooks/widget/demo
  Talk to it:  curl -s -XPOST http://localhost:${RASA_PORT}/webhooks/rest/webhook \\
                 -H 'Content-Type: application/json' -d '{"sender": "me", "message": "hi"}'
  HTTP API:    http://localhost:${RASA_PORT}/  (token: ?token=${RASA_API_TOKEN})
  Stop:        Ctrl-C
MSG
wait "${pids[1]}"
