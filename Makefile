# Two commands a newcomer needs: `make run` and `make test`. Both set up .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ADMIN ?= admin@riverside.example

.PHONY: run screenshots test test-services test-drills test-fuzz lint schema migrations bench clean assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# The browser pages' third-party scripts (GraphiQL, React, graphql-ws), installed from the npm registry
# at the versions in assets/package-lock.json and served by the app itself: no public CDN needed.
VENDOR := service/web/static/vendor
NPM_MODULES := assets/node_modules
$(VENDOR)/.installed: assets/package.json assets/package-lock.json
	cd assets && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/licenses
	cp $(NPM_MODULES)/react/umd/react.production.min.js $(NPM_MODULES)/react-dom/umd/react-dom.production.min.js \
	  $(NPM_MODULES)/graphiql/graphiql.min.js $(NPM_MODULES)/graphiql/graphiql.min.css \
	  $(NPM_MODULES)/graphql-ws/umd/graphql-ws.min.js $(VENDOR)/
	for package in react react-dom graphiql graphql-ws; do \
	  cp $(NPM_MODULES)/$$package/LICENSE* $(VENDOR)/licenses/$$package.txt; done
	touch $@

assets: $(VENDOR)/.installed

# Links in mails and API answers point at the address served (unless PORTAL_PUBLIC_URL says otherwise).
run: export PORTAL_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed-run assets
	$(BIN)/portal migrate
	$(BIN)/portal seed-demo
	@echo
	@token=$$($(BIN)/portal token --email $(DEMO_ADMIN)) && echo && \
	  echo "Portal:   http://$(HOST):$(PORT)/#token=$$token" && \
	  echo "          (one click signs in as the demo partner admin $(DEMO_ADMIN); the token stays in the tab)" && \
	  echo "GraphiQL: http://$(HOST):$(PORT)/graphql  (signed in too, once the portal has been opened in that tab)" && \
	  echo "          or paste into its headers: {\"Authorization\": \"Bearer $$token\"}" && echo
	$(BIN)/portal serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test assets
	$(BIN)/python -m pytest

# The example portal's screens, as the browser tests walk them, into docs/portal/ (the README shows two).
screenshots: $(VENV)/.installed-test assets
	PORTAL_SCREENSHOTS=docs/portal PORTAL_TEST_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q -m browser tests/web

# The same suite on the services engines: PostgreSQL (a fresh database per test), Redis as the job
# broker and for events (a namespace per test); then the job tests again on RabbitMQ.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672/
test-services: $(VENV)/.installed-test assets
	PORTAL_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) PORTAL_TEST_BROKER_URL=$(TEST_REDIS_URL) \
	  PORTAL_TEST_PUBSUB_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest
	PORTAL_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) PORTAL_TEST_BROKER_URL=$(TEST_RABBITMQ_URL) \
	  PORTAL_TEST_PUBSUB_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest -m jobs

# The process-level fault drills: real `portal worker` and `portal serve` processes, with a PostgreSQL
# and a Redis of each drill's own that it stops and starts (the shared servers are never touched).
test-drills: $(VENV)/.installed-test assets
	PORTAL_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) PORTAL_TEST_BROKER_URL=$(TEST_REDIS_URL) \
	  PORTAL_TEST_PUBSUB_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest -m drills tests/workers

# Schemathesis against a running server with the demo data, as a partner admin and as staff:
# FUZZ_EXAMPLES per operation and role, derandomized (the same examples every run).
FUZZ_EXAMPLES ?= 50
test-fuzz: $(VENV)/.installed-test
	PORTAL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -m fuzz tests/graphql/test_fuzz_graphql.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check service workers tests bench
	$(BIN)/ruff format --check service workers tests bench
	$(BIN)/mypy

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

# Every benchmark (about 10 minutes on 2 cores); the multi-process parts need PostgreSQL and Redis
# (BENCH_POSTGRES_URL, BENCH_REDIS_URL) and say so when they skip.
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/0
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/certificate_file_memory.py
	BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/certificate_pdfs.py
	BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) $(BIN)/python bench/api_load.py
	BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/subscriptions_fanout.py

schema: $(VENV)/.installed-run
	$(BIN)/portal print-schema > schema.graphql

migrations: $(VENV)/.installed-run
	$(BIN)/tortoise makemigrations

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache $(VENDOR) $(NPM_MODULES) test-output
