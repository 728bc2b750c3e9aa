"""Browser login end to end: the opened URL goes to a real Chromium, which does Universal Login.

The app waits in a thread for its loopback callback while Playwright, in the test's thread,
plays the person at the browser: email, code from the outbox, and back to the app.
"""

from __future__ import annotations

import asyncio
import queue
import threading

import pytest
from playwright.sync_api import Page, expect

from native_tui_app.screens import SignedInScreen
from tests.native_tui_app.helpers import settle, shown

EMAIL = "ada@example.com"


def in_thread(work) -> tuple[threading.Thread, dict]:
    """Run `work()` in a thread; its result or exception lands in the returned dict."""
    outcome: dict = {}

    def run() -> None:
        """Keep whatever happens for the test to look at."""
        try:
            outcome["result"] = work()
        except Exception as error:  # handed over to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def complete_universal_login(page: Page, authorize_url: str, tenant_server) -> None:
    """Do what a person does in the browser the app opened."""
    # The browser opens the tenant's authorization URL.
    page.goto(authorize_url)
    # Universal Login asks who you are: type the email address and continue.
    page.get_by_label("Email address or phone number").fill(EMAIL)
    page.get_by_role("button", name="Continue").click()
    # The code arrives by email (the dev outbox here): type it and continue.
    page.get_by_label("Code").fill(tenant_server.last_code(EMAIL))
    page.get_by_role("button", name="Continue").click()
    # The app asks for the sample API from a loopback callback, which Auth0 can never verify
    # as the app's own: the tenant asks for consent, and the person accepts.
    page.get_by_role("button", name="Accept").click()
    # The tenant redirects to the app's loopback listener, which says to go back.
    expect(page.get_by_role("heading", name="You can close this tab")).to_be_visible()
    assert page.url.startswith("http://127.0.0.1:")
    # The code and state in the address bar are the app's; the page repeats neither.
    assert "code=" not in page.content()


@pytest.mark.e2e
def test_the_client_logs_in_through_universal_login_in_chromium(client, tenant_server, page):
    opened: queue.Queue[str] = queue.Queue()
    # The app starts browser login and hands the URL to the "system browser".
    thread, outcome = in_thread(lambda: client.browser_login(open_browser=opened.put, timeout=60))
    complete_universal_login(page, opened.get(timeout=10), tenant_server)
    thread.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    tokens = outcome["result"]
    assert tokens.claims["email"] == EMAIL
    assert tokens.refresh_token


@pytest.mark.e2e
def test_log_in_with_browser_from_the_app_reaches_the_signed_in_screen(
    make_app, tenant_server, page
):
    opened: queue.Queue[str] = queue.Queue()
    app = make_app(open_browser=opened.put)

    async def use_the_app() -> str:
        """Click "Log in with browser" and wait, without freezing, for the login to land."""
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.click("#browser")
            for _ in range(600):
                await pilot.pause(0.1)
                if isinstance(app.screen, SignedInScreen):
                    await settle(pilot)
                    return shown(app.screen.query_one("#who"))
            return "still waiting: " + shown(app.screen.query_one("#error"))

    # The app runs in its own thread and event loop; Playwright's sync API needs this one.
    thread, outcome = in_thread(lambda: asyncio.run(use_the_app()))
    complete_universal_login(page, opened.get(timeout=10), tenant_server)
    thread.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"] == f"Signed in as {EMAIL}"
