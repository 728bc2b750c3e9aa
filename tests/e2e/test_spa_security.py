"""The single-page app's security checks in a real browser (docs/security.md, SPA cases)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
import requests
from playwright.sync_api import expect

from tests.constants import SPA_CLIENT
from tests.e2e.spa_pages import SpaHome
from tests.e2e.test_spa_login import log_in_by_email

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = [pytest.mark.e2e, pytest.mark.slow(seconds=16)]

XSS = "<img src=x onerror=alert(1)>"
# A PKCE challenge of the right shape; these tests never redeem the code.
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def browser_storage(page) -> dict:
    """Return everything this page's origin keeps in the browser, as the page's scripts see it."""
    return page.evaluate(
        """() => ({
            localStorage: Object.fromEntries(Object.entries(localStorage)),
            sessionStorage: Object.fromEntries(Object.entries(sessionStorage)),
            cookie: document.cookie,
        })"""
    )


def test_no_token_is_kept_in_browser_storage_by_default(spa_page, stack):
    home = log_in_by_email(spa_page, stack, stack.spa.base_url, "nostore@example.com")
    # The learner calls the API, so an access token for it has been issued.
    home.call_api("private")
    expect(home.api_answer).to_contain_text("200")
    stored = browser_storage(spa_page)
    # Nothing in localStorage or sessionStorage (the PKCE verifier left with the callback).
    assert stored["localStorage"] == {}
    assert stored["sessionStorage"] == {}
    # The only cookie is auth0-spa-js's "was logged in" flag, which holds no token.
    assert stored["cookie"] == f"auth0.{SPA_CLIENT}.is.authenticated=true"


def test_the_localstorage_switch_does_store_tokens(spa_page, stack):
    log_in_by_email(spa_page, stack, stack.spa_localstorage.base_url, "store@example.com")
    # With CACHE_LOCATION=localstorage, the SDK's cache (refresh token included) is there.
    values = " ".join(browser_storage(spa_page)["localStorage"].values())
    assert "refresh_token" in values
    assert "access_token" in values


def test_code_and_state_are_gone_from_the_address_bar(spa_page, stack):
    log_in_by_email(spa_page, stack, stack.spa.base_url, "clean@example.com")
    # After the callback the address is the bare app URL: nothing to copy, bookmark or leak.
    assert spa_page.url == stack.spa.base_url + "/"
    # The history entry was replaced, so the browser's history has no code either.
    assert spa_page.evaluate("location.search") == ""


def test_profile_values_are_rendered_as_text(spa_page, stack):
    email = "mallory@example.com"
    # The user's given name contains HTML with a script in an attribute.
    created = requests.post(
        stack.tenant.url("_dev/api/users"), json={"email": email}, timeout=10
    ).json()
    requests.patch(
        stack.tenant.url(f"_dev/api/users/{created['user_id']}"),
        json={"claims": {"given_name": XSS}},
        timeout=10,
    ).raise_for_status()
    dialogs = []
    spa_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    home = log_in_by_email(spa_page, stack, stack.spa.base_url, email)
    # The profile shows the characters as typed; no image element, no alert.
    expect(home.profile.get_by_role("definition").filter(has_text=XSS)).to_have_text(XSS)
    expect(home.profile.locator("img")).to_have_count(0)
    assert dialogs == []


# What a page's script learns when it posts to the token endpoint as auth0-spa-js does.
TRY_TOKEN_ENDPOINT = """async (url) => {
    try {
        const response = await fetch(url, {method: "POST", headers: {"Auth0-Client": "x",
            "Content-Type": "application/x-www-form-urlencoded"},
            body: "grant_type=refresh_token&refresh_token=x&client_id=demo-single-page-app"});
        return (await response.json()).error;
    } catch (error) {
        return "blocked";
    }
}"""


def open_test_page(page, server, path: str = "/test.html", html: str = "<title>test</title>"):
    """Serve a page of the test's own on a server's origin, and open it."""
    server.app.test_pages[path] = "<!doctype html>" + html
    page.goto(server.url(path))


def test_tenant_lets_the_app_origin_read_token_errors(spa_page, stack):
    # A page on the SPA's origin posts a bad refresh token: it may read Auth0's error.
    open_test_page(spa_page, stack.spa)
    assert spa_page.evaluate(TRY_TOKEN_ENDPOINT, stack.tenant.url("oauth/token")) == (
        "invalid_grant"
    )


def test_tenant_refuses_cors_to_an_unlisted_origin_in_the_browser(spa_page, stack):
    # A page on an origin the tenant does not list tries the same: the browser blocks it.
    open_test_page(spa_page, stack.stranger)
    assert spa_page.evaluate(TRY_TOKEN_ENDPOINT, stack.tenant.url("oauth/token")) == "blocked"


def authorize_url(stack, state: str) -> str:
    """Return auth0-spa-js's silent-login URL (prompt=none, response_mode=web_message)."""
    query = urllib.parse.urlencode(
        {
            "client_id": SPA_CLIENT,
            "redirect_uri": stack.spa.base_url + "/",
            "response_type": "code",
            "response_mode": "web_message",
            "prompt": "none",
            "scope": "openid",
            "state": state,
            "code_challenge": CHALLENGE,
            "code_challenge_method": "S256",
        }
    )
    return stack.tenant.url("authorize") + "?" + query


# A page that frames a URL and reports the first message it receives (or "none").
FRAMING_PAGE = """<title>probe</title><body><script>
window.received = new Promise((resolve) => {
  window.addEventListener("message", (e) => resolve({origin: e.origin, data: e.data}));
  setTimeout(() => resolve("none"), 3000);
});
const frame = document.createElement("iframe");
frame.src = %s;
document.body.append(frame);
</script></body>"""


def frame_and_listen(page, server, framed_url: str):
    """Open a page on `server` that frames `framed_url`; return the message it gets, or "none"."""
    open_test_page(page, server, "/probe.html", FRAMING_PAGE % json.dumps(framed_url))
    return page.evaluate("window.received")


def test_silent_login_iframe_gets_a_web_message_at_the_app_origin(spa_page, stack):
    # The learner is logged in at the tenant (its session cookie is set)...
    log_in_by_email(spa_page, stack, stack.spa.base_url, "silent@example.com")
    # ...and a page of the app frames /authorize?prompt=none&response_mode=web_message.
    message = frame_and_listen(spa_page, stack.spa, authorize_url(stack, "s1"))
    # The tenant's page posts an authorization_response to the app's origin.
    assert message["origin"] == stack.tenant.base_url
    assert message["data"]["type"] == "authorization_response"
    # The tenant's SameSite=Lax cookie is not sent inside a cross-site iframe (a third-party
    # cookie), so the tenant cannot see the session: login_required, as js/auth.js explains.
    assert message["data"]["response"] == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "s1",
    }


def test_web_message_page_cannot_be_framed_by_another_origin(spa_page, stack):
    # A page on an unlisted origin frames the same URL. The tenant answers with its page...
    with spa_page.expect_response(lambda r: "/authorize?" in r.url) as answer:
        message = frame_and_listen(spa_page, stack.stranger, authorize_url(stack, "s2"))
    assert answer.value.status == 200
    # ...but frame-ancestors names only the app, so the browser never runs it: no message.
    assert message == "none"


def test_the_app_page_sends_a_strict_content_security_policy(stack):
    # The page allows only its own scripts and talks only to the tenant and the API.
    csp = requests.get(stack.spa.url("/"), timeout=10).headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert f"connect-src 'self' {stack.tenant.base_url} {stack.api.base_url}" in csp
    assert "frame-ancestors 'none'" in csp


def test_spa_home_opens_signed_out(spa_page, stack):
    home = SpaHome(spa_page, stack.spa.base_url)
    # A first visit: the app offers both ways to log in.
    home.open()
    expect(home.status).to_have_text("You are not logged in.")
    expect(spa_page.get_by_role("button", name="Log in with email")).to_be_visible()
    expect(spa_page.get_by_role("button", name="Log in with SMS")).to_be_visible()
