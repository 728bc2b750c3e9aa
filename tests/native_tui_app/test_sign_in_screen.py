"""The sign-in screen, driven with Textual's Pilot against the live tenant."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import urllib.parse

import pytest
import requests

from native_tui_app.app import NativeApp
from native_tui_app.client import PasswordlessClient
from native_tui_app.screens import CodeScreen, SignedInScreen, SignInScreen
from tests.native_tui_app.helpers import paste_and_enter, settle, shown, sign_in_with_code
from tests.ul_driver import login_via_universal_login

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=11)


async def test_the_identifier_input_has_focus_at_start(make_app):
    app = make_app()
    async with app.run_test():
        assert isinstance(app.screen, SignInScreen)
        assert app.focused.id == "identifier"


async def test_the_connection_follows_what_is_typed(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # Type a phone number: the SMS connection is named.
        await pilot.press(*"+15555550100")
        assert "sms" in shown(app.screen.query_one("#connection"))
        # Clear it and type an email address instead.
        await pilot.press("ctrl+u", *"ada@example.com")
        assert "email" in shown(app.screen.query_one("#connection"))


async def test_enter_sends_a_code_by_email_and_opens_the_code_screen(make_app, tenant_server):
    app = make_app()
    async with app.run_test() as pilot:
        # Enter an email address (paste, Enter).
        await paste_and_enter(pilot, "ada@example.com")
        # The code screen says where the code went; the message is in the outbox.
        assert isinstance(app.screen, CodeScreen)
        assert "by email to ada@example.com" in shown(app.screen.query_one("#sent-to"))
        assert tenant_server.outbox("ada@example.com")[0]["channel"] == "email"


async def test_the_send_button_sends_a_code_by_sms(make_app, tenant_server):
    app = make_app()
    async with app.run_test() as pilot:
        # Type a phone number and click "Send code".
        await pilot.press(*"+15555550100")
        await pilot.click("#submit")
        await settle(pilot)
        # The code went out as a text message.
        assert "by text message to +15555550100" in shown(app.screen.query_one("#sent-to"))
        assert tenant_server.outbox("+15555550100")[0]["channel"] == "sms"


async def test_a_whole_sms_login_reaches_the_signed_in_screen(make_app, tenant_server):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # Phone number, Enter, the code from the text message, Enter.
        await sign_in_with_code(pilot, tenant_server, "+15555550100")
        assert isinstance(app.screen, SignedInScreen)
        assert "Signed in as +15555550100" in shown(app.screen.query_one("#who"))


async def test_an_empty_identifier_is_not_sent(make_app, tenant_server):
    app = make_app()
    async with app.run_test() as pilot:
        # Press Enter without typing anything.
        await paste_and_enter(pilot, "")
        assert "Type an email address" in shown(app.screen.query_one("#error"))
        assert tenant_server.outbox() == []


async def test_an_invalid_email_shows_the_tenants_reason_in_place(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # Enter something that is not an email address.
        await paste_and_enter(pilot, "ada at example")
        assert isinstance(app.screen, SignInScreen)
        assert "@-sign" in shown(app.screen.query_one("#error"))
        # The input keeps focus, so the person can fix the address at once.
        assert app.focused.id == "identifier"


@pytest.mark.tenant_config(profile="hardened")
async def test_asking_again_too_soon_is_rate_limited_in_place(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code, go back, and ask again straight away.
        await paste_and_enter(pilot, "ada@example.com")
        await pilot.press("escape")
        await paste_and_enter(pilot, "")
        # The tenant's cooldown answer is shown on the sign-in screen.
        assert isinstance(app.screen, SignInScreen)
        assert "Too many requests: Please wait" in shown(app.screen.query_one("#error"))


async def test_an_unreachable_tenant_is_a_clear_message_and_the_form_stays_usable(
    make_app, unreachable_url
):
    app = make_app(client=PasswordlessClient(unreachable_url))
    async with app.run_test() as pilot:
        # Try to send a code while no tenant runs.
        await paste_and_enter(pilot, "ada@example.com")
        assert f"Cannot reach the tenant at {unreachable_url}" in shown(
            app.screen.query_one("#error")
        )
        # Nothing is stuck: the indicator is gone and the buttons work again.
        assert not app.screen.query_one("#busy").display
        assert not app.screen.query_one("#submit").disabled


async def test_an_html_answer_from_a_proxy_is_a_clear_message(make_app, html_server):
    app = make_app(client=PasswordlessClient(html_server.base_url))
    async with app.run_test(size=(100, 30)) as pilot:
        # Send a code to a "tenant" that answers with an HTML error page.
        await paste_and_enter(pilot, "ada@example.com")
        assert "HTTP 502 with text/html, not Auth0's JSON" in shown(app.screen.query_one("#error"))


class GatedClient(PasswordlessClient):
    """A client whose `start` waits until the test opens a gate: a very slow tenant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def start(self, identifier):
        """Wait for the gate, then send the code."""
        self.gate.wait(timeout=10)
        return super().start(identifier)


async def test_the_interface_stays_responsive_and_shows_it_is_busy(make_app, tenant_server):
    client = GatedClient(tenant_server.base_url)
    app = make_app(client=client)
    async with app.run_test() as pilot:
        # Send a code; the tenant is slow to answer.
        await pilot.press(*"ada@example.com", "enter")
        await pilot.pause()
        # The busy indicator shows and the buttons are disabled...
        assert app.screen.query_one("#busy").display
        assert app.screen.query_one("#submit").disabled
        # ...yet keys still reach the app: the worker runs in a thread.
        await pilot.press("x")
        assert app.screen.query_one("#identifier").value == "ada@example.comx"
        # The tenant answers: on to the code screen.
        client.gate.set()
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)


async def test_log_in_with_browser_reaches_the_signed_in_screen(make_app, tenant_server):
    def browser(url: str) -> None:
        """Play the browser: Universal Login by HTTP, then the redirect back."""
        callback = login_via_universal_login(
            requests.Session(), url, "ada@example.com", tenant_server
        )
        requests.get(callback, timeout=5)

    app = make_app(open_browser=browser)
    async with app.run_test(size=(120, 40)) as pilot:
        # Click "Log in with browser" and finish in the "browser".
        await pilot.click("#browser")
        await settle(pilot)
        assert isinstance(app.screen, SignedInScreen)
        assert "Signed in as ada@example.com" in shown(app.screen.query_one("#who"))


async def test_browser_login_shows_the_url_and_can_be_cancelled(make_app):
    opened = []
    app = make_app(open_browser=opened.append)
    async with app.run_test(size=(120, 30)) as pilot:
        # Press the key binding for browser login; no browser comes back.
        await pilot.press("ctrl+o")
        await pilot.pause(0.2)
        notice = shown(app.screen.query_one("#notice"))
        assert "Waiting for the browser" in notice
        # The URL's screen lines, joined, are the URL: nothing (no border) in between.
        assert opened and opened[0] in shown(app.screen.query_one("#login-url")).replace(" ", "")
        # Press Escape to give up waiting.
        await pilot.press("escape")
        await settle(pilot)
        assert "Browser login cancelled" in shown(app.screen.query_one("#error"))
        assert not app.screen.query_one("#browser").disabled


async def test_quitting_while_waiting_for_the_browser_does_not_hang(make_app):
    opened = []
    app = make_app(open_browser=opened.append)
    started = time.monotonic()
    async with app.run_test() as pilot:
        # Start browser login, then quit with the browser still out.
        await pilot.press("ctrl+o")
        # Wait for the worker to hand the URL to the (fake) browser opener.
        for _ in range(100):
            if opened:
                break
            await pilot.pause(0.1)
        assert opened
        await pilot.press("ctrl+q")
    # The waiting worker notices at once (it would wait five minutes for a browser):
    # its loopback listener closes.
    callback = urllib.parse.parse_qs(urllib.parse.urlsplit(opened[0]).query)["redirect_uri"][0]
    port = urllib.parse.urlsplit(callback).port
    # A generous bound, not a speed check: a listener left waiting stays open five minutes.
    while time.monotonic() - started < 30:
        try:
            # Connect without sending a request, which the listener would take as the callback.
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except (ConnectionRefusedError, ConnectionResetError):
            # Refused: nothing listens. Reset: the listener closed while this connection waited
            # in its queue (the kernel drops it): closed either way.
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the loopback listener is still open after quitting")


def test_the_app_receives_its_client_in_the_constructor(client):
    app = NativeApp(client)
    assert app.client is client
