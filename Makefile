# Sotong — `make help` lists every target. The two you need: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.ONESHELL:

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
STAMP   := $(VENV)/.installed
MODEL   := models/sotong.tar.gz
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa reports telemetry and errors to its servers by default; a district server must not.
export RASA_TELEMETRY_ENABLED := false

TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)
NLU_CODE     := $(wildcard sotong/nlu/*.py)

help: ## Show this help
	@echo "Sotong (소통) — Korean civic chatbot on Rasa 3.6"
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml scripts/bootstrap.sh
	scripts/bootstrap.sh
	touch $@

venv: $(STAMP) ## Create .venv (Python 3.10) and install the pinned dependencies

DISTRICT_DIR := $(or $(SOTONG_DISTRICT_DIR),district/incheon-seogu)
FAQ_SOURCES  := $(wildcard $(DISTRICT_DIR)/faq/*.yml) $(wildcard sotong/faq/*.py)

# Rasa's training cache only fingerprints the tokenizer class itself, so a change
# to the analyzer code forces a full retrain. data/nlu/faq.yml is generated from the
# district's FAQ catalogue and rewritten only when its examples change, so an edited
# answer, phone or link needs no retraining (the action server re-reads the catalogue).
# The model is stamped with the time training *started*: data edited while it trained is
# newer than the model, so the next `make train` trains again.
$(MODEL): $(STAMP) $(TRAIN_INPUTS) $(NLU_CODE) $(FAQ_SOURCES)
	set -e; started=$$(date +%s)
	$(PY) -m sotong.faq.build --out data
	$(RASA) train --fixed-model-name sotong --out models $(if $(filter sotong/nlu/%,$?),--force,)
	touch -d "@$$started" $@

train: $(MODEL) ## Train the model if it is missing or older than its data/config

validate: $(STAMP) ## Check the training data, the domain and the FAQ catalogue (fails on warnings)
	$(PY) -m sotong.faq.build --check
	$(PY) scripts/validate.py

run: $(MODEL) ## Set up if needed, then start Rasa (:5005), actions (:5055), web app (:8000), notifier; Ctrl-C stops all
	scripts/run.sh

run-prod: $(MODEL) ## Production profile: nginx, 2 Rasa + 2 action servers on PostgreSQL + Redis, web app, notifier (docs/production.md)
	scripts/run_prod.sh

shell: $(MODEL) ## Chat with the bot in the terminal (starts the action server too)
	scripts/run.sh shell

kakao-sim: $(STAMP) ## Chat as a KakaoTalk resident through the Kakao channel (needs `make run`; KAKAO_USER=demo-user)
	$(PY) -m connectors.kakao.simulator --url http://localhost:5005/webhooks/kakao/webhook --user $(or $(KAKAO_USER),demo-user)

test: $(MODEL) ## Run every test: unit, database (SQLite + PostgreSQL), conversations, end-to-end
	scripts/test.sh

# The NLU bench trains its own models; the KakaoTalk load test serves models/sotong.tar.gz.
bench: $(MODEL) ## Measure NLU pipelines, understanding (FAQ, open set) and the KakaoTalk load; writes docs/benchmarks.md (~50 min)
	$(PY) -m scripts.bench_nlu
	$(PY) -m scripts.bench_understanding --calibrate --rs
	$(PY) -m scripts.bench_kakao
	$(PY) -m scripts.bench.search_latency

bench-prod: $(MODEL) ## Load figures for the production profile: run-prod with 2 and 1 replicas and make run, KakaoTalk + web residents at 50/100/200 users; writes docs/benchmarks.md (≤ 35 min)
	$(PY) -m scripts.bench_prod

lint: $(STAMP) ## Lint and format check (ruff) and type-check the civic core (mypy); run by make test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy sotong/

fmt: $(STAMP) ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

unit: $(STAMP) ## Fast loop: tests that need no trained model, no servers and no PostgreSQL (< 1 min)
	$(PY) -m pytest -q -m "not e2e and not postgres" -p no:cacheprovider

# Offline: pass a checkout of https://github.com/pypa/advisory-database (scripts/audit.py).
audit: $(STAMP) ## Check requirements.lock against the PyPA advisory database (ADVISORY_DB=<checkout>)
	$(PY) scripts/audit.py --db "$(or $(ADVISORY_DB),/opt/advisory-database)"

lock: ## Re-resolve requirements.in into requirements.lock (in a scratch venv)
	scripts/lock.sh

clean: ## Remove trained models and local data (keeps the venv)
	rm -rf models var results .pytest_cache

.PHONY: help venv train validate run run-prod shell kakao-sim test bench bench-prod lint fmt unit audit lock clean
