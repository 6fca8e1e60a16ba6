#!/usr/bin/env bash
# Times the ways to retrain after a one-line data edit, on a copy of the project:
# full training (cold cache), full training with Rasa's cache warm, and `rasa train --finetune`.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA=${RASA:-$PWD/.venv/bin/rasa}
PY=${PY:-$PWD/.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r config.yml domain.yml data "$work/"
cd "$work"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 TQDM_DISABLE=1 PYTHONWARNINGS=ignore

timed() {  # label, command...
  local label=$1; shift
  local start end
  start=$(date +%s.%N); "$@" > "$label.log" 2>&1; end=$(date +%s.%N)
  printf '%-28s %6.1f s\n' "$label" "$(echo "$end - $start" | bc)"
}
add_example() { sed -i "0,/^    - /s//    - $1\n    - /" data/nlu/faq.yml; }

timed full_cold_cache "$RASA" train --fixed-model-name full --out models
add_example "is a cold session longer than three minutes"
timed full_warm_cache "$RASA" train --fixed-model-name warm --out models
add_example "what is the cold treatment for a sore back"
timed finetune "$RASA" train --finetune models/warm.tar.gz --fixed-model-name finetuned --out models
for model in warm finetuned; do
  printf '%-28s ' "held-out ($model)"
  "$PY" -m bot.measure.heldout "$work/models/$model.tar.gz" 2>/dev/null | sed -n 1p
done
