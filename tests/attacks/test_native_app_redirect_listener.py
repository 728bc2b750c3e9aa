"""Threat: another program on the machine (or the network) answers the native app's loopback
redirect: a forged callback (before the real one, or instead of it), a second callback after
the real one, a listener reachable from other hosts.

RFC 8252 sections 7.3 (loopback redirection), 8.3 (bind the loopback address only) and 8.9
(state against a forged callback); RFC 9700 section 2.1; OWASP Mobile Application Security
(MASVS-AUTH). docs/security.md's terminal-app example: the listener binds 127.0.0.1 only, checks
`state`, ignores callbacks with another state and keeps waiting, accepts the one with its
state, then closes. (Markup shown literally, refresh refused and an
unreachable tenant are the terminal app's own tests: tests/native_tui_app/.)
"""

import pytest
import requests

from native_tui_app import errors
from native_tui_app.client import CALLBACK_PATH, LOOPBACK_HOST, PasswordlessClient
from native_tui_app.loopback import LoopbackListener
from tests.constants import API_AUDIENCE, NATIVE_CLIENT
from tests.native_tui_app.test_browser_login import query, redirect_uri, visit
from tests.ul_driver import login_via_universal_login


@pytest.fixture
def native(tenant_server) -> PasswordlessClient:
    """Return the terminal app's client for the live tenant."""
    return PasswordlessClient(
        domain=tenant_server.base_url,
        client_id=NATIVE_CLIENT,
        audience=API_AUDIENCE,
        api_url="http://127.0.0.1:9",
    )


def test_the_listener_binds_the_loopback_address_only():
    with LoopbackListener(LOOPBACK_HOST, CALLBACK_PATH, "some-state") as listener:
        assert listener.host == "127.0.0.1"


@pytest.mark.parametrize("suffix", ["?code=stolen&state=forged", "?code=stolen", "?code=x&state="])
def test_a_forged_callback_is_ignored_and_never_reaches_the_token_endpoint(
    native, tenant_calls, suffix
):
    def browser(url: str) -> None:
        visit(redirect_uri(url) + suffix)

    with pytest.raises(errors.BrowserLoginFailed, match="state"):
        native.browser_login(open_browser=browser, timeout=0.5)
    assert "POST /oauth/token" not in tenant_calls


def test_a_local_program_calling_the_callback_first_cannot_break_the_login(native, tenant_server):
    statuses = []

    def browser(url: str) -> None:
        # The attacker races the browser with a wrong state; the browser then comes back.
        statuses.append(visit(redirect_uri(url) + "?code=stolen&state=forged").status_code)
        callback = login_via_universal_login(
            requests.Session(), url, "ada@example.com", tenant_server
        )
        statuses.append(visit(callback).status_code)

    tokens = native.browser_login(open_browser=browser, timeout=10)
    assert tokens.claims["email"] == "ada@example.com"
    assert statuses == [400, 200]


def test_the_listener_takes_one_callback_then_stops_listening(native):
    seen = {}

    def browser(url: str) -> None:
        back = redirect_uri(url) + f"?error=access_denied&state={query(url)['state']}"
        seen["first"], seen["second"] = visit(back).status_code, visit(back).status_code
        seen["back"] = back

    with pytest.raises(errors.BrowserLoginFailed):
        native.browser_login(open_browser=browser, timeout=10)
    assert (seen["first"], seen["second"]) == (200, 404)
    with pytest.raises(requests.ConnectionError):
        visit(seen["back"])
