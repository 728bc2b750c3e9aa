"""Universal Login over plain HTTP: /authorize, the identifier and code pages, SSO and logout.

A `requests.Session` plays the browser (it keeps the tenant's cookies); the app's callback is
never followed, so each test reads the code or error the tenant sends back to the app.
"""

import re
import urllib.parse

import pytest
import requests

from tests.constants import API_AUDIENCE, NATIVE_CLIENT, WEB_CALLBACK, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import pkce_pair
from tests.ul_driver import CSRF, login_via_universal_login


def authorize_url(server, **overrides) -> str:
    """Build the web app's /authorize URL, with some parameters changed or removed (None)."""
    params = {
        "response_type": "code",
        "client_id": WEB_CLIENT,
        "redirect_uri": WEB_CALLBACK,
        "scope": "openid profile email offline_access",
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    query = {k: v for k, v in params.items() if v is not None}
    return server.url("authorize") + "?" + urllib.parse.urlencode(query)


def query_of(url: str) -> dict:
    """Return the query parameters of a URL as a dict."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def open_identifier_page(http, server, **overrides) -> requests.Response:
    """Start a login and return the identifier page."""
    response = http.get(authorize_url(server, **overrides), timeout=10)
    assert "/u/login/identifier" in response.url
    return response


def submit_identifier(http, page, identifier: str, send: str = "code") -> requests.Response:
    """Post an email address or phone number on the identifier page."""
    csrf = CSRF.search(page.text).group(1)
    return http.post(
        page.url, data={"csrf_token": csrf, "username": identifier, "send": send}, timeout=10
    )


def submit_code(http, page, code: str, **extra) -> requests.Response:
    """Post a code on the challenge page without following the redirect."""
    csrf = CSRF.search(page.text).group(1)
    return http.post(
        page.url,
        data={"csrf_token": csrf, "code": code, **extra},
        allow_redirects=False,
        timeout=10,
    )


def alert_text(page) -> str:
    """Return the text of the page's alert."""
    return re.search(r'role="alert"[^>]*>([^<]+)<', page.text).group(1).strip()


# ---- a whole login ------------------------------------------------------------------------


def test_an_email_code_login_returns_a_code_that_buys_tokens(tenant_server):
    http = requests.Session()
    verifier, challenge = pkce_pair()
    # The user logs in through the pages; the tenant sends them back with code and state.
    callback = login_via_universal_login(
        http,
        authorize_url(tenant_server, code_challenge=challenge, audience=API_AUDIENCE),
        "grace@example.com",
        tenant_server,
    )
    params = query_of(callback)
    assert callback.startswith(WEB_CALLBACK + "?")
    assert params["state"] == "state-123"
    # The web app exchanges the code with its secret (HTTP Basic) and the PKCE verifier.
    response = requests.post(
        tenant_server.url("oauth/token"),
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
        auth=(WEB_CLIENT, WEB_SECRET),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"access_token", "id_token", "refresh_token"} <= set(body)


def test_an_sms_login_goes_through_the_sms_challenge_page(tenant_server):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server, connection="sms")
    # The identifier page asks for a phone number only.
    assert "Phone number" in page.text
    challenge = submit_identifier(http, page, "+15555550142")
    assert "/u/login/passwordless-sms-challenge" in challenge.url
    response = submit_code(http, challenge, tenant_server.last_code("+15555550142"))
    assert response.headers["Location"].startswith("/authorize/resume")


# ---- the identifier page ------------------------------------------------------------------


def test_a_login_hint_prefills_the_form_but_sends_nothing(tenant_server):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server, login_hint="hint@example.com")
    assert 'value="hint@example.com"' in page.text
    # Nothing was sent: a link from another site cannot spam the person.
    assert tenant_server.outbox() == []


def test_an_invalid_email_is_explained_on_the_page(tenant_server):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server)
    response = submit_identifier(http, page, "not-an-email")
    assert response.status_code == 400
    assert "Enter a valid email address" in alert_text(response)
    assert tenant_server.outbox() == []


def test_a_form_post_without_the_csrf_token_is_refused(tenant_server):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server)
    response = http.post(page.url, data={"username": "x@example.com"}, timeout=10)
    assert response.status_code == 400
    assert tenant_server.outbox() == []


def test_a_transaction_cannot_continue_in_another_browser(tenant_server):
    page = open_identifier_page(requests.Session(), tenant_server)
    # A second browser (no cookie) opens the same page address.
    response = requests.get(page.url, timeout=10)
    assert response.status_code == 400
    assert "expired" in response.text


# ---- the code page ------------------------------------------------------------------------


def test_a_wrong_code_then_the_right_one_signs_in(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), "h@example.com")
    wrong = submit_code(
        http,
        challenge,
        "000000" if tenant_server.last_code("h@example.com") != "000000" else "111111",
    )
    assert wrong.status_code == 400
    assert "not right" in alert_text(wrong)
    right = submit_code(http, challenge, tenant_server.last_code("h@example.com"))
    assert right.status_code == 303


def test_an_expired_code_is_refused_with_a_clear_message(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), "i@example.com")
    tenant_server.advance_clock(181)
    response = submit_code(http, challenge, tenant_server.last_code("i@example.com"))
    assert response.status_code == 400
    assert "expired" in alert_text(response)


@pytest.mark.tenant_config(profile="hardened")
def test_resend_waits_for_the_cooldown_then_only_the_new_code_works(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), "j@example.com")
    first = tenant_server.last_code("j@example.com")
    csrf = CSRF.search(challenge.text).group(1)
    # Too soon: the page says how long to wait, and nothing new is sent.
    too_soon = http.post(challenge.url, data={"csrf_token": csrf, "action": "resend"}, timeout=10)
    assert too_soon.status_code == 429
    assert len(tenant_server.outbox("j@example.com")) == 1
    # After the cooldown a new code is sent, and the old one stops working.
    tenant_server.advance_clock(31)
    resent = http.post(challenge.url, data={"csrf_token": csrf, "action": "resend"}, timeout=10)
    assert resent.status_code == 200
    assert "sent a new code" in resent.text
    second = tenant_server.last_code("j@example.com")
    if first != second:
        assert submit_code(http, challenge, first).status_code == 400
    assert submit_code(http, challenge, second).status_code == 303


def test_three_wrong_codes_kill_the_code(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), "k@example.com")
    right = tenant_server.last_code("k@example.com")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        submit_code(http, challenge, wrong)
    response = submit_code(http, challenge, right)
    assert response.status_code == 400
    assert "Too many wrong codes" in alert_text(response)


def test_a_code_sent_by_the_api_does_not_work_on_the_login_page(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), "l@example.com")
    # Another party asks the API for a code for the same person (after the cooldown) ...
    tenant_server.advance_clock(31)
    requests.post(
        tenant_server.url("passwordless/start"),
        json={
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "l@example.com",
            "send": "code",
        },
        timeout=10,
    ).raise_for_status()
    # ... and that code is bound to its own client and transaction, not this login.
    response = submit_code(http, challenge, tenant_server.last_code("l@example.com"))
    assert response.status_code == 400


# ---- magic links --------------------------------------------------------------------------


def test_a_magic_link_completes_the_login_in_the_browser_that_asked(tenant_server):
    http = requests.Session()
    submit_identifier(http, open_identifier_page(http, tenant_server), "m@example.com", send="link")
    link = tenant_server.outbox("m@example.com")[0]["link"]
    # A mail scanner (no cookie) fetching the link consumes nothing.
    scanner = requests.get(link, allow_redirects=False, timeout=10)
    assert scanner.status_code == 400
    assert "browser where you asked" in scanner.text
    # The browser that asked follows it and comes back to the app with a code.
    resume = http.get(link, allow_redirects=False, timeout=10)
    assert resume.headers["Location"].startswith("/authorize/resume")
    back = http.get(
        tenant_server.url(resume.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert "code" in query_of(back.headers["Location"])


# ---- single sign-on -----------------------------------------------------------------------


def test_a_second_authorize_skips_the_code_and_prompt_login_asks_again(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "n@example.com", tenant_server)
    # Same browser, second login: straight back with a code, nothing sent.
    again = http.get(authorize_url(tenant_server), allow_redirects=False, timeout=10)
    assert "code" in query_of(again.headers["Location"])
    assert len(tenant_server.outbox("n@example.com")) == 1
    # prompt=login forces the pages again.
    forced = http.get(
        authorize_url(tenant_server, prompt="login"), allow_redirects=False, timeout=10
    )
    assert forced.headers["Location"].startswith("/u/login/identifier")


def test_max_age_forces_a_new_login_once_the_session_is_older(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "o@example.com", tenant_server)
    tenant_server.advance_clock(120)
    response = http.get(
        authorize_url(tenant_server, max_age="60"), allow_redirects=False, timeout=10
    )
    assert response.headers["Location"].startswith("/u/login/identifier")


def test_prompt_none_without_a_session_answers_login_required(tenant_server):
    response = requests.get(
        authorize_url(tenant_server, prompt="none"), allow_redirects=False, timeout=10
    )
    params = query_of(response.headers["Location"])
    assert params["error"] == "login_required"
    assert params["state"] == "state-123"
    assert tenant_server.outbox() == []


def test_logout_ends_the_session_and_returns_only_to_allowed_urls(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "p@example.com", tenant_server)
    bad = http.get(
        tenant_server.url("v2/logout"),
        params={"client_id": WEB_CLIENT, "returnTo": "https://evil.test/"},
        allow_redirects=False,
        timeout=10,
    )
    assert bad.status_code == 400
    assert "Location" not in bad.headers
    good = http.get(
        tenant_server.url("v2/logout"),
        params={"client_id": WEB_CLIENT, "returnTo": "http://localhost:3000/"},
        allow_redirects=False,
        timeout=10,
    )
    assert good.headers["Location"] == "http://localhost:3000/"
    # The session is gone: prompt=none now answers login_required.
    after = http.get(authorize_url(tenant_server, prompt="none"), allow_redirects=False, timeout=10)
    assert query_of(after.headers["Location"])["error"] == "login_required"


def test_oidc_logout_redirects_with_state_for_the_id_token_hints_app(tenant_server):
    http = requests.Session()
    verifier, challenge = pkce_pair()
    callback = login_via_universal_login(
        http, authorize_url(tenant_server, code_challenge=challenge), "q@example.com", tenant_server
    )
    tokens = requests.post(
        tenant_server.url("oauth/token"),
        data={
            "grant_type": "authorization_code",
            "code": query_of(callback)["code"],
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
        auth=(WEB_CLIENT, WEB_SECRET),
        timeout=10,
    ).json()
    response = http.get(
        tenant_server.url("oidc/logout"),
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "http://localhost:3000/",
            "state": "bye",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.headers["Location"] == "http://localhost:3000/?state=bye"


# ---- /authorize errors: pages, never redirects, for untrusted redirect URIs ---------------


# Unregistered, altered and missing redirect URIs are tested in
# tests/attacks/test_redirect_uri_manipulation.py.


def test_an_unknown_client_gets_an_error_page(tenant_server):
    response = requests.get(
        authorize_url(tenant_server, client_id="nobody"), allow_redirects=False, timeout=10
    )
    assert response.status_code == 400
    assert "Unknown application" in response.text


@pytest.mark.parametrize(
    "redirect_uri,accepted",
    [
        ("http://127.0.0.1:53122/callback", True),
        ("http://localhost:53122/callback", False),
        ("http://127.0.0.1.evil.test/callback", False),
        ("https://127.0.0.1:53122/callback", False),
        ("http://127.0.0.1:53122/other", False),
    ],
)
def test_the_native_loopback_redirect_matches_any_port_and_nothing_else(
    tenant_server, redirect_uri, accepted
):
    response = requests.get(
        authorize_url(tenant_server, client_id=NATIVE_CLIENT, redirect_uri=redirect_uri),
        allow_redirects=False,
        timeout=10,
    )
    assert (response.status_code == 302) is accepted


@pytest.mark.parametrize(
    "overrides,error",
    [
        ({"audience": "urn:unknown"}, "access_denied"),
        ({"prompt": "bogus"}, "invalid_request"),
        ({"max_age": "soon"}, "invalid_request"),
    ],
)
def test_other_errors_go_back_to_the_app_with_error_and_state(tenant_server, overrides, error):
    response = requests.get(
        authorize_url(tenant_server, **overrides), allow_redirects=False, timeout=10
    )
    params = query_of(response.headers["Location"])
    assert params["error"] == error
    assert params["state"] == "state-123"


@pytest.mark.tenant_config(profile="hardened")
@pytest.mark.parametrize(
    "overrides,error",
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
    ],
)
def test_hardened_errors_go_back_to_the_app_with_error_and_state(tenant_server, overrides, error):
    response = requests.get(
        authorize_url(tenant_server, **overrides), allow_redirects=False, timeout=10
    )
    # A token response type answers in the fragment (its default response mode), errors too.
    parts = urllib.parse.urlsplit(response.headers["Location"])
    params = dict(urllib.parse.parse_qsl(parts.query or parts.fragment))
    assert params["error"] == error
    assert params["state"] == "state-123"


@pytest.mark.tenant_config(profile="hardened")
def test_a_public_client_without_pkce_is_refused(tenant_server):
    response = requests.get(
        authorize_url(
            tenant_server,
            client_id=NATIVE_CLIENT,
            redirect_uri="http://127.0.0.1:5000/callback",
            code_challenge=None,
            code_challenge_method=None,
        ),
        allow_redirects=False,
        timeout=10,
    )
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize("state", ["\r\nSet-Cookie: x=1", '"><script>alert(1)</script>'])
def test_a_hostile_state_is_only_ever_url_encoded(tenant_server, state):
    response = requests.get(
        authorize_url(tenant_server, prompt="bogus", state=state),
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert "Set-Cookie: x" not in str(response.headers)
    assert query_of(response.headers["Location"])["state"] == state
    assert "<script>" not in response.headers["Location"]


def test_login_pages_send_the_security_headers(tenant_server):
    page = open_identifier_page(requests.Session(), tenant_server)
    headers = page.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    # Nothing is loaded from another site.
    assert not re.search(r'(src|href)="https?://', page.text)


@pytest.mark.tenant_config(profile="hardened")
def test_a_magic_link_from_the_api_signs_in_after_a_click_without_a_refresh_token(tenant_server):
    verifier, challenge = pkce_pair()
    callback = "http://127.0.0.1:5000/callback"
    # A native app asks the API for a magic link, carrying its authorization request.
    requests.post(
        tenant_server.url("passwordless/start"),
        json={
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "r@example.com",
            "send": "link",
            "authParams": {
                "redirect_uri": callback,
                "response_type": "code",
                "state": "app-state",
                "scope": "openid offline_access",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        },
        timeout=10,
    ).raise_for_status()
    link = tenant_server.outbox("r@example.com")[0]["link"]
    # Opening the link shows a page; nothing is consumed until the person clicks Continue.
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and "Continue" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    back = requests.post(link.split("?")[0], data=fields, allow_redirects=False, timeout=10)
    params = query_of(back.headers["Location"])
    assert back.headers["Location"].startswith(callback) and params["state"] == "app-state"
    # The app redeems the code with its PKCE verifier: tokens, but no refresh token.
    tokens = requests.post(
        tenant_server.url("oauth/token"),
        data={
            "grant_type": "authorization_code",
            "client_id": NATIVE_CLIENT,
            "code": params["code"],
            "redirect_uri": callback,
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()
    assert "id_token" in tokens and "refresh_token" not in tokens
    # The link worked once: a second click finds no code.
    again = requests.post(link.split("?")[0], data=fields, allow_redirects=False, timeout=10)
    assert again.status_code == 400
