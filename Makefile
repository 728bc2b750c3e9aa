# Passwordless demo suite. Run `make` for the list of targets.
# Every target sets up what it needs on first use (.venv, packages, browser), so a
# fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# Playwright uses the system Chromium when there is one (it cannot download a browser
# everywhere); otherwise it installs its own on first use.
CHROMIUM_PATH ?= $(wildcard /usr/bin/chromium)
export CHROMIUM_PATH
ARGS ?=
WORKERS ?= 1

.DEFAULT_GOAL := help
.PHONY: help setup browser run-tenant run-web run-native run-spa test lint format clean

help: ## Show this list of targets.
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# ---- setup ---------------------------------------------------------------

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) ## Create .venv and install the pinned packages.

browser: $(STAMP) ## Make a Chromium available to Playwright (system one if present).
	@if [ -n "$(CHROMIUM_PATH)" ]; then echo "Using Chromium at $(CHROMIUM_PATH)"; \
	else $(PY) -m playwright install chromium; fi

# ---- run -----------------------------------------------------------------

run-tenant: $(STAMP) ## Run the mock tenant alone on http://127.0.0.1:4000 (WORKERS=4 for several).
	$(PY) -m mock_tenant --workers $(WORKERS) $(ARGS)

run-web: $(STAMP) ## Run tenant + sample API + Flask web app; open http://localhost:3000.
	@echo "Open http://localhost:3000 (codes and links appear at http://127.0.0.1:4000/_dev/outbox)."
	PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.web start

# ---- check ---------------------------------------------------------------

test: $(STAMP) browser ## Run every test, end-to-end included (ARGS=... goes to pytest).
	$(PY) -m pytest $(ARGS)

lint: $(STAMP) ## Check style with ruff.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format the code with ruff.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove .venv, caches and the tenant's data directory.
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-results
