"""The workshop followed in order: every chapter's blocks, twice, on one tenant, then two logins.

A learner keeps one tenant running from chapter 1 to chapter 10 and may paste a block again,
so each chapter's runnable blocks run in order and then once more, against the same tenant
and sample API, clock lessons included (issue K). Afterwards the apps must still work on that
tenant: the web app logs in through Universal Login in Chromium, and the terminal app's client
logs in with the OTP grant and validates its ID token with PyJWT.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import regular_web_app
from mock_tenant.config import DEFAULT_CONFIG_FILE
from native_tui_app.client import PasswordlessClient
from tests.docs.test_docs import CHAPTERS, parse, run_block
from tests.e2e.pages import CodePage, ConsentPage, TenantLoginPage, WebAppHome
from tests.e2e.spa_stack import LateApp
from tests.e2e.web_stack import REGISTERED_ORIGIN, web_app_settings
from tests.servers import replace_once, serve, serve_sample_api, serve_tenant

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=29)

# How many times each chapter's blocks run in a row.
RUNS = 2
HOUR = 3600


def walk_config(config_dir: Path, web_origin: str) -> Path:
    """Write the bundled tenant.toml with the test web app registered next to localhost:3000.

    The chapters' blocks send `redirect_uri=http://localhost:3000/callback`, as `make run-web`
    would; the test's web app runs on a free port of its own.
    """
    text = replace_once(
        DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"),
        {
            f'["{REGISTERED_ORIGIN}/callback"]': (
                f'["{REGISTERED_ORIGIN}/callback", "{web_origin}/callback"]'
            ),
            f'["{REGISTERED_ORIGIN}/"]': f'["{REGISTERED_ORIGIN}/", "{web_origin}/"]',
        },
    )
    path = config_dir / "tenant.toml"
    path.write_text(text, encoding="utf-8")
    return path


def log_in_with_the_web_app(page: Page, web_url: str, tenant, email: str) -> None:
    """Log in from the web app's home page with an email code, consenting if asked."""
    home = WebAppHome(page, web_url)
    home.open()
    home.log_in_with("email")
    TenantLoginPage(page).enter_identifier("Email address", email)
    CodePage(page).enter_code(tenant.last_code(email))
    # Chapter 2 consented for Ada already, and the tenant remembers it: ask only if asked.
    consent = ConsentPage(page)
    expect(consent.heading.or_(home.greeting)).to_be_visible()
    if consent.heading.is_visible():
        consent.accept()
    expect(home.greeting).to_be_visible()


def test_the_chapters_in_order_twice_each_then_both_apps_log_in(page: Page, tmp_path):
    page.set_default_timeout(15_000)
    with ExitStack() as stack:
        web = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        config = walk_config(tmp_path, web.base_url)
        tenant = stack.enter_context(serve_tenant(tmp_path / "data", config))
        api = stack.enter_context(serve_sample_api(tenant))
        web.app.app = regular_web_app.create_app(
            web_app_settings(tenant, api, tmp_path / "sessions")
        )

        # 1. The chapters, in order; each one's blocks in order, then all of them again.
        for chapter in CHAPTERS:
            # An hour goes by between chapters, on the dev clock. Like Auth0, the tenant lets
            # one IP address ask for 50 codes an hour (docs/10-moving-to-auth0.md), and every
            # chapter run twice asks for more than that in all; chapter 1 tells a learner who
            # meets the limit to let the hour pass this way.
            tenant.advance_clock(HOUR)
            blocks = [block for block in parse(chapter)[0] if block.runnable]
            for run in range(1, RUNS + 1):
                for block in blocks:
                    problem = run_block(block, tenant.base_url, api.base_url, tmp_path)
                    assert problem is None, f"run {run} of {chapter.name}: {problem}"

        # 2. The web app, in Chromium, on the tenant the chapters left behind.
        log_in_with_the_web_app(page, web.base_url, tenant, "ada@example.com")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada!")

        # 3. The terminal app's client: the OTP grant, and an ID token PyJWT accepts now.
        client = PasswordlessClient(tenant.base_url, api_url=api.base_url)
        client.start("ada@example.com")
        tokens = client.login("ada@example.com", tenant.last_code("ada@example.com"))
        claims = client.validate_id_token(tokens.id_token)
        assert claims["email"] == "ada@example.com"
        assert client.call_api(tokens, "/api/private").status == 200
