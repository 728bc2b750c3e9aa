"""Classic Universal Login end to end: Auth0's unmodified Lock and auth0.js on the tenant's page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.classic_stack import ClassicStack, classic_stack
from tests.e2e.pages import ConsentPage, WebAppHome
from tests.e2e.web_stack import TIMEOUT_MS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Let Chromium accept the tenant's certificate (a person trusts the CA, or clicks on)."""
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(scope="module")
def lock_stack(tmp_path_factory) -> Iterator[ClassicStack]:
    """Run the web app against a tenant that shows the Lock (passwordless) page."""
    with classic_stack(tmp_path_factory.mktemp("classic-lock"), "lock-passwordless") as stack:
        yield stack


@pytest.fixture
def classic_page(page: Page) -> Page:
    """Return Playwright's page with short timeouts."""
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


def test_web_app_logs_in_through_the_lock_page_with_an_email_code(classic_page, lock_stack):
    page, email = classic_page, "ada@example.com"
    home = WebAppHome(page, lock_stack.web.base_url)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # The tenant shows its Classic page: Auth0's Lock widget, in passwordless mode.
    expect(page).to_have_url(lock_stack.tenant.base_url + "/login?" + page.url.split("?")[1])
    page.get_by_placeholder("yours@example.com").fill(email)
    page.get_by_role("button", name="Submit").click()
    # Lock asks for the code; they read it in the dev outbox and type it.
    code_box = page.get_by_placeholder("Your code")
    expect(code_box).to_be_visible()
    code_box.fill(lock_stack.tenant.last_code(email))
    page.get_by_role("button", name="Submit").click()
    # The app asks for the sample API from a localhost callback: they consent.
    ConsentPage(page).accept()
    # Back on the app, signed in.
    page.wait_for_url(lock_stack.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, Ada!")
