# Two commands: `make run` (the main job) and `make test` (the test suite).
# Both create .venv from a committed lock file on first use; nothing else needs to be installed.
# requirements.lock pins what the warehouse runs on; requirements-dev.lock adds the test, lint and audit tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-fast lint lock clean browser audit

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/warehouse run

# The report and docs checks need a Chromium: a system one if present (CI installs Debian's), else Playwright's.
browser: $(DEV_STAMP)
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
		|| command -v google-chrome >/dev/null 2>&1; then :; else $(BIN)/playwright install chromium; fi

# The whole suite, spread over two workers (each starts its own embedded Postgres and builds its own sample).
test: $(DEV_STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The inner loop: lint, the tests that need no database, and dbt's unit tests (pytest -m "fast or not server").
test-fast: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -m "fast or not server" --no-cov -q

# Supply chain and code safety: known-vulnerable dependencies, risky code patterns, committed secrets.
audit: $(DEV_STAMP)
	$(BIN)/bandit -q -c pyproject.toml -r warehouse ingest scripts
	$(BIN)/pip-audit -r requirements-dev.lock --progress-spinner off
	git ls-files -z | xargs -0 $(BIN)/detect-secrets-hook --baseline .secrets.baseline

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-resolve the lock file after changing dependencies in pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.10 --universal -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.10 --universal -o requirements-dev.lock

clean:
	rm -rf $(VENV) .warehouse target logs
