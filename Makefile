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
.PHONY: help setup browser run-tenant run-web run-native run-spa test bench lint format screenshots clean

help: ## Show this list of targets.
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# ---- setup ---------------------------------------------------------------

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,bench]'
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) ## Create .venv and install the pinned packages.

browser: $(STAMP) ## Make a Chromium available to Playwright (system one if present).
	@if [ -n "$(CHROMIUM_PATH)" ]; then echo "Using Chromium at $(CHROMIUM_PATH)"; \
	else $(PY) -m playwright install chromium; fi

# ---- run -----------------------------------------------------------------

run-tenant: $(STAMP) ## Run the mock tenant alone on http://127.0.0.1:4000 (WORKERS=4 for several).
	$(PY) -m mock_tenant --workers $(WORKERS) $(ARGS)

# auth0-spa-js from npm, exactly as single_page_app/package-lock.json pins it; installed
# again only when the lock file changes (like $(STAMP) for the Python packages).
SPA_STAMP := single_page_app/node_modules/.installed-$(shell cksum < single_page_app/package-lock.json | cut -d' ' -f1)

$(SPA_STAMP): single_page_app/package-lock.json
	cd single_page_app && npm ci --no-audit --no-fund
	touch $@

# express-openid-connect for its end-to-end test, pinned by tests/e2e/express_app/package-lock.json.
EXPRESS_STAMP := tests/e2e/express_app/node_modules/.installed-$(shell cksum < tests/e2e/express_app/package-lock.json | cut -d' ' -f1)

$(EXPRESS_STAMP): tests/e2e/express_app/package-lock.json
	cd tests/e2e/express_app && npm ci --no-audit --no-fund
	touch $@

run-spa: $(STAMP) $(SPA_STAMP) ## Run tenant + sample API + single-page app; open http://localhost:3001.
	@echo "Open http://localhost:3001 (codes appear at http://127.0.0.1:4000/_dev/outbox)."
	PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.spa start

# The tenant (and the sample API) start in the background, logging to var/*.log, only
# when nothing answers yet; they stop when the app exits. ARGS=... goes to the app.
run-native: $(STAMP) ## Run the terminal app (starts the tenant and sample API if needed).
	$(PY) -m native_tui_app.run_native $(ARGS)

run-web: $(STAMP) ## Run tenant + sample API + Flask web app; open http://localhost:3000.
	@echo "Open http://localhost:3000 (codes and links appear at http://127.0.0.1:4000/_dev/outbox)."
	PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.web start

# ---- check ---------------------------------------------------------------

# Two runs, the second only if the first passed: every test with the tenant in the test
# process, then the tenant's API and hardening tests again against `python -m mock_tenant
# --workers 3` (gunicorn) subprocesses; tests marked in_process need the app in the test
# process and are left out of the second run. ARGS=... goes to the first run only.
test: $(STAMP) $(SPA_STAMP) $(EXPRESS_STAMP) browser ## Run every test, then the tenant's tests against 3 gunicorn workers.
	$(PY) -m pytest $(ARGS)
	TENANT_WORKERS=3 $(PY) -m pytest tests/mock_tenant tests/hardening -m "not in_process"

# A benchmark, not a test: logins per second next to a peer (oidc-provider-mock) and the
# floor (bare Flask doing the same requests and signatures). ARGS="--logins 1000" for more.
bench: $(STAMP) ## Measure the tenant against a peer and the floor; writes bench/results/.
	$(PY) bench/run.py $(ARGS)

lint: $(STAMP) ## Check style with ruff.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format the code with ruff.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# ---- docs ----------------------------------------------------------------

# The README's pictures, taken from the real apps on free loopback ports: pages with
# Playwright, the terminal app with Textual's own SVG screenshots. Commit what changes.
screenshots: $(STAMP) $(SPA_STAMP) browser ## Take the README's screenshots into docs/screenshots/.
	$(PY) -m tools.screenshots

clean: ## Remove .venv, caches and the tenant's data directory.
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-results
