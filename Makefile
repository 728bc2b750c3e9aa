# Passwordless demo suite. Run `make` for the list of targets.
# Every target sets up what it needs on first use (.venv, packages, browser), so a
# fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
ASSETS_STAMP := mock_tenant/static/vendor/.built-$(shell cat mock_tenant/assets/package-lock.json mock_tenant/assets/build.mjs | cksum | cut -d' ' -f1)
# Playwright uses the system Chromium when there is one (it cannot download a browser
# everywhere); otherwise it installs its own on first use.
CHROMIUM_PATH ?= $(wildcard /usr/bin/chromium)
export CHROMIUM_PATH
# Headless tests run in Chromium's lighter headless shell when there is one, as Playwright's
# own headless runs do (tests/conftest.py); empty: CHROMIUM_PATH for every test.
CHROMIUM_HEADLESS_SHELL ?= $(wildcard /usr/bin/chromium-headless-shell)
export CHROMIUM_HEADLESS_SHELL
ARGS ?=
# Arguments for the example project's pytest (`make test-example EXAMPLE_ARGS=-x`).
EXAMPLE_ARGS ?=
WORKERS ?= 1
# pytest-xdist processes for the test targets (PYTEST_WORKERS=0: all in one process). Each
# file's tests stay on one process (tests/conftest.py: group_by_file), in collection order,
# so that browser tests still come last on each process. Three on two cores: the suite waits
# often (Lock's timers in the browser tests, subprocesses starting, timeouts under test), and a
# third process works meanwhile (make test 207-215 -> 190 s, make test-fast 33 -> 29-31 s).
PYTEST_WORKERS ?= 3
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder)
# pytest rewrites the asserts of every module of every pytest plugin's package (hypothesis and
# schemathesis: some 400) and caches the result as bytecode; where PYTHONDONTWRITEBYTECODE is
# set (as here) it would rewrite them all again in every pytest process, 2 to 3 s of CPU each.
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest
# The tests that `make test-workers` runs against a tenant of several processes.
WORKER_TESTS := tests/mock_tenant tests/hardening
# TLS=1: the tenant serves https://127.0.0.1:4000 with a local CA kept in var/tenant/tls/
# (made on first use, never committed); the apps started here are told to trust it.
TLS ?=
# The Classic Universal Login needs HTTPS (auth0.js and Lock reach a hosted page's tenant over
# https only: docs/11-classic-universal-login.md), so the run-* targets turn TLS on by themselves
# when it is chosen, by MOCK_TENANT_EXPERIENCE or in mock_tenant/tenant.toml.
EXPERIENCE := $(or $(MOCK_TENANT_EXPERIENCE),$(shell sed -n 's/^[[:space:]]*universal_login_experience[[:space:]]*=[[:space:]]*"\([a-z]*\)".*/\1/p' mock_tenant/tenant.toml))
ifeq ($(EXPERIENCE)$(if $(filter run-%,$(MAKECMDGOALS)),run),classicrun)
TLS := 1
endif
TLS_CA := $(CURDIR)/var/tenant/tls/ca.pem
MAKE_CA := true
TENANT_URL := http://127.0.0.1:4000
ifneq ($(TLS),)
TENANT_URL := https://127.0.0.1:4000
# Makes the CA before any app starts, so that the file the apps are told to trust exists.
MAKE_CA := $(PY) -m mock_tenant.tls var/tenant && echo "Trust $(TLS_CA) in your browser; or open $(TENANT_URL)/ once and accept the warning."
export MOCK_TENANT_TLS := 1
export AUTH0_DOMAIN := https://127.0.0.1:4000
# requests (Authlib, the apps) reads the first; urllib (PyJWT's JWKS client) the second.
export REQUESTS_CA_BUNDLE := $(TLS_CA)
export SSL_CERT_FILE := $(TLS_CA)
endif

.DEFAULT_GOAL := help
.PHONY: help setup bytecode browser run-tenant run-web run-native run-spa run-embedded reset test test-fast \
	test-e2e test-setup test-keys test-workers test-example bench lint format screenshots clean

help: ## Show this list of targets.
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# ---- setup ---------------------------------------------------------------

# uv installs the same pinned packages as pip in under half the time (on a fresh clone this
# is the longest step of setup); --compile-bytecode writes their bytecode, as pip does. pip
# does the install where uv cannot: uv does not read pip's configuration (a mirror in pip.conf).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(PY) -c constraints.txt -e '.[test,bench]' || \
		$(BIN)/pip install --quiet -c constraints.txt -e '.[test,bench]'
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) $(ASSETS_STAMP) bytecode ## Create .venv and install the pinned packages.

# The bytecode of the suite's own modules, written ahead of time: where PYTHONDONTWRITEBYTECODE
# is set (as on some CI images), every `python -m mock_tenant` would otherwise compile them all
# again before it answers. Only files changed since the last run are compiled, in this one
# process: `-j0` started a pool of processes for it that took 1.1 s on every make target even
# with nothing to compile (1.3 s against 0.17 s; all 103 files afresh take 0.25 s).
PACKAGES := bench mock_tenant regular_web_app native_tui_app sample_api tools examples/embedded_login
bytecode: $(STAMP)
	@$(PY) -m compileall -q $(PACKAGES) > /dev/null

browser: $(STAMP) ## Make a Chromium available to Playwright (system one if present).
	@if [ -n "$(CHROMIUM_PATH)" ]; then echo "Using Chromium at $(CHROMIUM_PATH)$(if $(CHROMIUM_HEADLESS_SHELL), (headless tests: $(CHROMIUM_HEADLESS_SHELL)))"; \
	else $(PY) -m playwright install chromium; fi

# ---- run -----------------------------------------------------------------

run-tenant: $(STAMP) bytecode $(ASSETS_STAMP) ## Run the mock tenant alone on http://127.0.0.1:4000 (WORKERS=4, TLS=1 for https).
	$(PY) -m mock_tenant --workers $(WORKERS) $(ARGS)

# auth0-spa-js from npm, exactly as single_page_app/package-lock.json pins it; installed
# again only when the lock file changes (like $(STAMP) for the Python packages).
SPA_STAMP := single_page_app/node_modules/.installed-$(shell cksum < single_page_app/package-lock.json | cut -d' ' -f1)

$(SPA_STAMP): single_page_app/package-lock.json
	cd single_page_app && npm ci --prefer-offline --no-audit --no-fund
	touch $@

# The browser files the tenant serves (Auth0's auth0-lock and auth0-js for the Classic login
# pages, pinned by mock_tenant/assets/package-lock.json; Mermaid for the inspector, pinned in
# build.mjs, which fetches its browser build alone) built into mock_tenant/static/vendor/
# (never committed) again only when the lock or the build changes (ASSETS_STAMP, at the top).

$(ASSETS_STAMP): mock_tenant/assets/package-lock.json mock_tenant/assets/build.mjs
	cd mock_tenant/assets && npm ci --prefer-offline --no-audit --no-fund && node build.mjs
	rm -f mock_tenant/static/vendor/.built-* && touch $@

# express-openid-connect for its end-to-end test, pinned by tests/e2e/express_app/package-lock.json.
EXPRESS_STAMP := tests/e2e/express_app/node_modules/.installed-$(shell cksum < tests/e2e/express_app/package-lock.json | cut -d' ' -f1)

$(EXPRESS_STAMP): tests/e2e/express_app/package-lock.json
	cd tests/e2e/express_app && npm ci --prefer-offline --no-audit --no-fund
	touch $@

# axe-core for the accessibility test of the tenant's pages, pinned by tests/e2e/axe/package-lock.json.
AXE_STAMP := tests/e2e/axe/node_modules/.installed-$(shell cksum < tests/e2e/axe/package-lock.json | cut -d' ' -f1)

$(AXE_STAMP): tests/e2e/axe/package-lock.json
	cd tests/e2e/axe && npm ci --prefer-offline --no-audit --no-fund
	touch $@

# LOG_TIMESTAMPS=0 (run-spa, run-web): honcho starts every line with the time, so the
# processes print none of their own.
run-spa: $(STAMP) bytecode $(ASSETS_STAMP) $(SPA_STAMP) ## Run tenant + sample API + single-page app; open http://localhost:3001.
	@$(MAKE_CA)
	@echo "Open http://localhost:3001 (codes appear at $(TENANT_URL)/_dev/outbox)."
	TENANT_URL=$(TENANT_URL) PYTHONUNBUFFERED=1 LOG_TIMESTAMPS=0 $(BIN)/honcho -f Procfile.spa start

# The same as the Reset button on the outbox and inspector pages (tools/reset_tenant.py).
reset: $(STAMP) ## Reset the running tenant between chapters: users, codes, throttles, clock (keys stay).
	@$(PY) -m tools.reset_tenant $(TENANT_URL)

# The tenant (and the sample API) start in the background, logging to var/*.log, only
# when nothing answers yet; they stop when the app exits. ARGS=... goes to the app.
run-native: $(STAMP) bytecode $(ASSETS_STAMP) ## Run the terminal app (starts the tenant and sample API if needed).
	@$(MAKE_CA)
	$(PY) -m tools.run_native $(ARGS)

run-web: $(STAMP) bytecode $(ASSETS_STAMP) ## Run tenant + sample API + Flask web app; open http://localhost:3000.
	@$(MAKE_CA)
	@echo "Open http://localhost:3000 (codes and links appear at $(TENANT_URL)/_dev/outbox)."
	TENANT_URL=$(TENANT_URL) PYTHONUNBUFFERED=1 LOG_TIMESTAMPS=0 $(BIN)/honcho -f Procfile.web start

# Embedded (cross-origin) login with auth0.js from the app's own page: NOT what Auth0
# recommends for SPAs (docs/embedded-login.md). A running tenant is used, not started again.
run-embedded: $(STAMP) bytecode $(ASSETS_STAMP) ## Run tenant + the embedded auth0.js login example; open http://localhost:3002.
	@$(MAKE_CA)
	@echo "Open http://localhost:3002 (codes appear at $(TENANT_URL)/_dev/outbox)."
	TENANT_URL=$(TENANT_URL) PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.embedded start

# ---- check ---------------------------------------------------------------

# Every test in two passes, the second only if the first passed: first every test with the
# tenant in the test process, then `make test-workers` beside `make test-example` (its own
# venv, its own tenant). ARGS=... narrows both passes and leaves the example out.
# The clock starts when make reads this file, so setup (a fresh clone's .venv and npm
# installs, made first as prerequisites) counts in the time printed at the end.
TEST_STARTED := $(shell date +%s)

test: test-setup ## Run every test, then the tenant's tests against 3 gunicorn workers.
	$(PYTEST) $(XDIST) $(ARGS)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-workers \
		$(if $(ARGS),,test-example)
	@echo "make test: $$(( $$(date +%s) - $(TEST_STARTED) )) s, setup included"

# What `make test` installs, all at once (pip for .venv and for the example's venv, npm for
# the tenant's assets, the SPA, the express app and axe): none of the six needs another. The
# tests' RSA keys (test-keys) are made beside them as soon as .venv is there.
test-setup:
	@$(MAKE) --no-print-directory -j6 --output-sync=target $(STAMP) $(ASSETS_STAMP) bytecode \
		$(SPA_STAMP) $(EXPRESS_STAMP) $(AXE_STAMP) browser test-keys $(if $(ARGS),,$(EXAMPLE_STAMP))

# The RSA keys the tests' tenants take instead of generating two each (tests/conftest.py,
# mock_tenant/core/key_pool.py), made ahead of time on every core, only those missing. A
# whole `make test` claimed at most 400 in one pass (measured: pass 1), so 500 leave a margin.
# A key the pool lacks is made when a tenant claims it, so a longer run is only slower.
TEST_KEYS := 500
KEY_POOL := $(if $(filter environment%,$(origin MOCK_TENANT_KEY_POOL)),$(MOCK_TENANT_KEY_POOL),var/test-keys)
test-keys: $(STAMP)
	@$(if $(KEY_POOL),[ -f $(KEY_POOL)/$$(($(TEST_KEYS) - 1)).pem ] || \
		$(PY) -m tools.fill_key_pool $(TEST_KEYS) $(KEY_POOL),true)

# The inner loop: no browser (every Playwright test is marked e2e), no tests/hardening
# (restarts, load, full disks), no second pass, and without ARGS no file marked slow (the
# schemathesis run, the docs' blocks, the terminal app's Pilot tests, the built wheel).
# With ARGS the slow tests it selects run too (ARGS=tests/native_tui_app runs them all).
test-fast: $(STAMP) bytecode $(ASSETS_STAMP) test-keys ## Run the quick tests: no browser, no hardening, one pass; no slow file without ARGS.
	$(PYTEST) $(XDIST) -m "not e2e$(if $(ARGS),, and not slow)" --ignore=tests/hardening $(ARGS)
	@echo "make test-fast: $$(( $$(date +%s) - $(TEST_STARTED) )) s"

test-e2e: $(STAMP) bytecode $(ASSETS_STAMP) $(SPA_STAMP) $(EXPRESS_STAMP) $(AXE_STAMP) browser test-keys ## Run the browser tests only (Playwright in Chromium).
	$(PYTEST) $(XDIST) -m e2e $(ARGS)

# The tenant's own tests again, against `python -m mock_tenant --workers 3` (gunicorn)
# subprocesses; tests marked in_process need the app in the test process and are skipped.
# --within keeps, of what ARGS selects, the tests in WORKER_TESTS. When that is none,
# pytest exits 5 ("no tests ran"), which here means nothing to rerun, not a failure.
test-workers: $(STAMP) bytecode $(ASSETS_STAMP) browser test-keys ## Run the tenant's tests against 3 gunicorn workers (test's 2nd pass).
	TENANT_WORKERS=3 $(PYTEST) $(XDIST) $(addprefix --within ,$(WORKER_TESTS)) $(ARGS) || \
		{ status=$$?; [ $$status -eq 5 ] || exit $$status; echo "No tenant tests in ARGS: nothing to rerun against workers."; }

# The example of outside use: a project of its own (examples/test_your_app) with its own
# virtualenv and pinned requirements, into which the tenant goes from its wheel, as into
# anyone's project. The requirements install once; the tenant again whenever a file of
# mock_tenant/ or packaging/tenant/ changes. .venv's uv makes the venv, with pip as a user's
# has (0.25 s of CPU against 3.8 s for `python -m venv`), and builds and installs into it
# (0.6 s against pip's 6 s for the requirements), all on a fresh clone's CPU-bound setup;
# Python's venv and pip where uv cannot, as for .venv.
EXAMPLE := examples/test_your_app
EXAMPLE_PY := $(EXAMPLE)/.venv/bin/python
EXAMPLE_STAMP := $(EXAMPLE)/.venv/.installed-$(shell cat $(EXAMPLE)/requirements*.txt | cksum | cut -d' ' -f1)
TENANT_SUM := $(shell find mock_tenant packaging/tenant -name node_modules -prune -o -name __pycache__ -prune -o -type f -print | LC_ALL=C sort | xargs cat | cksum | cut -d' ' -f1)
EXAMPLE_TENANT := $(EXAMPLE)/.venv/.tenant-$(TENANT_SUM)

EXAMPLE_REQUIREMENTS := -r $(EXAMPLE)/requirements.txt -r $(EXAMPLE)/requirements-test.txt

# Order-only on .venv (for its uv): a new .venv does not make the example's venv again.
$(EXAMPLE_STAMP): $(EXAMPLE)/requirements.txt $(EXAMPLE)/requirements-test.txt | $(STAMP)
	rm -rf $(EXAMPLE)/.venv
	$(BIN)/uv venv --quiet --seed --python $(PYTHON) $(EXAMPLE)/.venv || \
		{ rm -rf $(EXAMPLE)/.venv && $(PYTHON) -m venv $(EXAMPLE)/.venv; }
	$(BIN)/uv pip install --quiet --python $(EXAMPLE_PY) $(EXAMPLE_REQUIREMENTS) || \
		$(EXAMPLE_PY) -m pip install --quiet $(EXAMPLE_REQUIREMENTS)
	touch $@

# The wheel is installed again even with an unchanged version (reinstall), and then with its
# dependencies, which the requirements may not all hold.
$(EXAMPLE_TENANT): $(EXAMPLE_STAMP) $(ASSETS_STAMP)
	rm -rf $(EXAMPLE)/.venv/dist
	$(BIN)/uv build --quiet --wheel -o $(EXAMPLE)/.venv/dist ./packaging/tenant || \
		$(EXAMPLE_PY) -m pip wheel --quiet --no-deps -w $(EXAMPLE)/.venv/dist ./packaging/tenant
	$(BIN)/uv pip install --quiet --python $(EXAMPLE_PY) --reinstall-package passwordless-tenant \
		$(EXAMPLE)/.venv/dist/*.whl || \
		{ $(EXAMPLE_PY) -m pip install --quiet --force-reinstall --no-deps $(EXAMPLE)/.venv/dist/*.whl && \
		$(EXAMPLE_PY) -m pip install --quiet $(EXAMPLE)/.venv/dist/*.whl; }
	rm -f $(EXAMPLE)/.venv/.tenant-* && touch $@

test-example: $(EXAMPLE_TENANT) ## Run the example project's tests with the tenant installed from its wheel.
	@if [ -z "$(CHROMIUM_PATH)" ]; then $(EXAMPLE_PY) -m playwright install chromium; fi
	$(EXAMPLE)/.venv/bin/passwordless-tenant --help > /dev/null
	cd $(EXAMPLE) && PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest $(EXAMPLE_ARGS)

# A benchmark, not a test: logins per second next to a peer (oidc-provider-mock) and the
# floor (bare Flask doing the same requests and signatures). ARGS="--logins 1000" for more.
bench: $(STAMP) bytecode $(ASSETS_STAMP) ## Measure the tenant against a peer and the floor; writes bench/results/.
	$(PY) -m bench.run $(ARGS)

lint: $(STAMP) ## Check style with ruff.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format the code with ruff.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# ---- docs ----------------------------------------------------------------

# The README's pictures, taken from the real apps on free loopback ports: pages with
# Playwright, the terminal app with Textual's own SVG screenshots. Commit what changes.
screenshots: $(STAMP) $(ASSETS_STAMP) $(SPA_STAMP) browser ## Take the README's screenshots into docs/screenshots/.
	$(PY) -m tools.screenshots

clean: ## Remove .venv, caches and the tenant's data directory.
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-results mock_tenant/static/vendor \
		$(EXAMPLE)/.venv $(EXAMPLE)/test-results
	find . -name node_modules -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
