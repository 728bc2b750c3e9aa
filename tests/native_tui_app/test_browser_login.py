"""Browser login's loopback redirect (RFC 8252) and PKCE (RFC 7636), driven without a browser.

The injected opener plays the browser: it reads the authorization URL, completes Universal
Login with plain HTTP (`tests/ul_driver.py`) or fakes what comes back, and visits the callback.
"""

from __future__ import annotations

import threading
import urllib.parse

import pytest
import requests

from native_tui_app import errors
from native_tui_app.client import CALLBACK_PATH, LOOPBACK_HOST
from native_tui_app.loopback import LoopbackListener
from tests.ul_driver import login_via_universal_login


def query(url: str) -> dict[str, str]:
    """Return a URL's query parameters."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def redirect_uri(authorize_url: str) -> str:
    """Return the loopback redirect URI the app put in its authorization URL."""
    return query(authorize_url)["redirect_uri"]


def visit(url: str) -> requests.Response:
    """Open a URL the way the browser would after the redirect."""
    return requests.get(url, timeout=5)


def test_browser_login_completes_universal_login_and_returns_validated_tokens(
    client, tenant_server
):
    seen = {}

    def browser(url: str) -> None:
        """Log in on the tenant's pages, then follow the redirect back to the app."""
        seen["authorize"] = url
        callback = login_via_universal_login(
            requests.Session(), url, "ada@example.com", tenant_server
        )
        seen["page"] = visit(callback)

    tokens = client.browser_login(open_browser=browser, timeout=10)
    assert tokens.claims["email"] == "ada@example.com"
    assert tokens.refresh_token
    # The tab that came back shows a page that tells the person to return to the terminal.
    assert seen["page"].status_code == 200
    assert "close this tab" in seen["page"].text
    assert seen["page"].headers["Cache-Control"] == "no-store"


def test_the_authorization_request_uses_pkce_s256_state_nonce_and_a_loopback_ip(client):
    seen = {}

    def browser(url: str) -> None:
        """Look at the URL, then come back with the state so the listener closes."""
        seen.update(query(url))
        visit(redirect_uri(url) + "?error=access_denied&state=" + seen["state"])

    with pytest.raises(errors.BrowserLoginFailed):
        client.browser_login(open_browser=browser, timeout=10)
    assert seen["code_challenge_method"] == "S256"
    assert len(seen["code_challenge"]) == 43  # base64url of a SHA-256, no padding
    assert len(seen["state"]) >= 16 and len(seen["nonce"]) >= 16
    callback = urllib.parse.urlsplit(seen["redirect_uri"])
    assert (callback.scheme, callback.hostname, callback.path) == ("http", "127.0.0.1", "/callback")
    assert callback.port
    assert seen["response_type"] == "code"


def test_the_listener_binds_the_loopback_address_only():
    with LoopbackListener(LOOPBACK_HOST, CALLBACK_PATH, "some-state") as listener:
        assert listener.host == "127.0.0.1"
        assert listener.port > 0


def test_a_callback_with_another_state_is_ignored_and_the_login_waits_for_its_own(client):
    seen = {}

    def browser(url: str) -> None:
        """Come back with a code and a state this app never sent (login CSRF), and nothing else."""
        seen["page"] = visit(redirect_uri(url) + "?code=stolen-code&state=forged")

    # The forged answer does not end the wait: only the timeout does, and it says why.
    with pytest.raises(errors.BrowserLoginFailed, match="1 answer.* state .* ignored"):
        client.browser_login(open_browser=browser, timeout=0.5)
    assert seen["page"].status_code == 400
    assert "ignored" in seen["page"].text


def test_a_callback_without_a_state_is_ignored(client):
    def browser(url: str) -> None:
        """Come back with a code and no state at all, then with an empty one."""
        visit(redirect_uri(url) + "?code=some-code")
        visit(redirect_uri(url) + "?code=some-code&state=")

    with pytest.raises(errors.BrowserLoginFailed, match="2 answer"):
        client.browser_login(open_browser=browser, timeout=0.5)


def test_a_wrong_state_callback_first_does_not_stop_the_real_login(client, tenant_server):
    seen = {}

    def browser(url: str) -> None:
        """Let another local program call the callback first, then log in for real."""
        seen["forged"] = visit(redirect_uri(url) + "?code=stolen-code&state=forged")
        callback = login_via_universal_login(
            requests.Session(), url, "ada@example.com", tenant_server
        )
        seen["real"] = visit(callback)

    tokens = client.browser_login(open_browser=browser, timeout=10)
    assert tokens.claims["email"] == "ada@example.com"
    assert (seen["forged"].status_code, seen["real"].status_code) == (400, 200)


def test_the_listener_accepts_one_callback_then_closes(client):
    seen = {}

    def browser(url: str) -> None:
        """Visit another path, then the callback twice."""
        state = query(url)["state"]
        back = redirect_uri(url) + f"?error=access_denied&state={state}"
        seen["favicon"] = visit(urllib.parse.urljoin(back, "/favicon.ico")).status_code
        seen["first"] = visit(back).status_code
        seen["second"] = visit(back).status_code
        seen["back"] = back

    with pytest.raises(errors.BrowserLoginFailed, match="access_denied"):
        client.browser_login(open_browser=browser, timeout=10)
    # Only the callback path counts, and only once.
    assert (seen["favicon"], seen["first"], seen["second"]) == (404, 200, 404)
    # Once the login attempt is over, nothing listens on the port any more.
    with pytest.raises(requests.ConnectionError):
        visit(seen["back"])


def test_a_refusal_from_the_tenant_is_shown_with_its_description(client):
    def browser(url: str) -> None:
        """Come back as the tenant does when the person cancels."""
        state = query(url)["state"]
        visit(
            redirect_uri(url)
            + f"?error=access_denied&error_description=User+cancelled&state={state}"
        )

    with pytest.raises(errors.BrowserLoginFailed, match="User cancelled"):
        client.browser_login(open_browser=browser, timeout=10)


def test_a_callback_from_another_issuer_is_refused(client):
    def browser(url: str) -> None:
        """Come back with an `iss` that names someone else (RFC 9207 mix-up defence)."""
        state = query(url)["state"]
        visit(redirect_uri(url) + f"?code=c&state={state}&iss=https%3A%2F%2Fevil.example%2F")

    with pytest.raises(errors.BrowserLoginFailed, match="another issuer"):
        client.browser_login(open_browser=browser, timeout=10)


def test_a_made_up_code_is_refused_by_the_token_endpoint(client):
    def browser(url: str) -> None:
        """Come back with the right state but a code the tenant never issued."""
        state = query(url)["state"]
        visit(redirect_uri(url) + f"?code=made-up&state={state}")

    with pytest.raises(errors.BrowserLoginFailed, match="(?i)authorization code"):
        client.browser_login(open_browser=browser, timeout=10)


def test_no_answer_from_the_browser_times_out_and_closes_the_port(client):
    seen = {}

    with pytest.raises(errors.BrowserLoginFailed, match="did not come back"):
        client.browser_login(open_browser=lambda url: seen.update(url=url), timeout=0.3)
    with pytest.raises(requests.ConnectionError):
        visit(redirect_uri(seen["url"]))


def test_browser_login_can_be_cancelled_from_another_thread(client):
    cancel = threading.Event()

    with pytest.raises(errors.BrowserLoginFailed, match="cancelled"):
        client.browser_login(open_browser=lambda url: cancel.set(), timeout=10, cancel=cancel)
