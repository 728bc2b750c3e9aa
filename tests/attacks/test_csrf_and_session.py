"""Threat: cross-site request forgery and session fixation: another site signs the victim in
as the attacker, posts a form in the victim's name, or plants a session id it knows.

RFC 6749 section 10.12 and RFC 6819 section 4.4.1.8 (CSRF against the redirect URI: state);
RFC 9700 sections 2.1 and 4.7 (CSRF protection); OpenID Connect Core 3.1.2.1 (prompt=none);
OWASP Cross-Site Request Forgery Prevention and Session Management Cheat Sheets (renew the
session id at login, cookie flags); OWASP ASVS 5.0 V3.3 and V3.5. docs/security.md rules 3, 7
(forms carry a CSRF token) and 13, and the `/callback` state, `prompt=none` and login_hint
examples.
"""

import urllib.parse

import pytest
import requests

from mock_tenant import create_app, load_config
from tests.attacks.helpers import CSRF, authorize_url, browser_code, get, query_of
from tests.mock_tenant.test_universal_login import open_identifier_page, submit_identifier
from tests.servers import LiveServer
from tests.ul_driver import login_via_universal_login

# ---- login CSRF at the web app's callback -----------------------------------------------------


@pytest.mark.parametrize("state", [None, "", "made-up", "x" * 5000])
def test_a_callback_with_no_or_an_unknown_state_is_refused_without_a_token_request(
    client, tenant_calls, state
):
    client.get("/login")  # the victim has a session with a pending login of their own
    query = "code=attacker-code" + (f"&state={state}" if state is not None else "")
    response = client.get(f"/callback?{query}")
    assert response.status_code == 400
    assert "POST /oauth/token" not in tenant_calls


def test_an_attackers_whole_callback_url_opened_by_the_victim_signs_nobody_in(
    auth, make_web_app, tenant_server, tenant_calls
):
    # The attacker logs in to the app in their own browser and stops before the callback...
    attacker_callback = auth.callback_url(identifier="mallory@example.com")
    # ...then makes the victim's browser (another session) open it.
    victim = auth.client.application.test_client()
    victim.get("/login")
    response = victim.get(attacker_callback)
    assert response.status_code == 400
    assert "Hello" not in victim.get("/").text
    assert "POST /oauth/token" not in tenant_calls


def test_a_state_is_used_once_even_after_a_successful_login(auth, client, tenant_calls):
    callback = auth.callback_url()
    assert client.get(callback).status_code == 302
    tenant_calls.clear()
    assert client.get(callback).status_code == 400
    assert "POST /oauth/token" not in tenant_calls


def test_prompt_none_without_a_tenant_session_sends_login_required_and_no_code(tenant_server):
    response = get(authorize_url(tenant_server, prompt="none"))
    params = query_of(response.headers["Location"])
    assert params["error"] == "login_required"
    assert params["state"] == "state-123"
    assert "code" not in params


def test_a_login_hint_from_a_cross_site_link_prefills_the_form_but_sends_nothing(tenant_server):
    page = open_identifier_page(requests.Session(), tenant_server, login_hint="ada@example.com")
    assert 'value="ada@example.com"' in page.text
    assert tenant_server.outbox() == []


# ---- CSRF tokens on forms ---------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "guess", "A" * 32])
def test_the_tenant_identifier_form_needs_its_csrf_token(tenant_server, token):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server)
    data = {"username": "ada@example.com", **({"csrf_token": token} if token is not None else {})}
    response = http.post(page.url, data=data, timeout=10)
    assert response.status_code == 400
    assert tenant_server.outbox() == []


def test_the_tenant_code_form_needs_its_csrf_token(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(
        http, open_identifier_page(http, tenant_server), "ada@example.com"
    )
    code = tenant_server.last_code("ada@example.com")
    response = http.post(challenge.url, data={"code": code}, allow_redirects=False, timeout=10)
    assert response.status_code == 400
    # Nothing was checked: the code still works with the token.
    csrf = CSRF.search(challenge.text).group(1)
    ok = http.post(
        challenge.url, data={"code": code, "csrf_token": csrf}, allow_redirects=False, timeout=10
    )
    assert ok.status_code == 303


def test_a_csrf_token_from_another_transaction_is_refused(tenant_server):
    http = requests.Session()
    mine = open_identifier_page(http, tenant_server)
    other = open_identifier_page(requests.Session(), tenant_server)
    token = CSRF.search(other.text).group(1)
    response = http.post(
        mine.url, data={"csrf_token": token, "username": "ada@example.com"}, timeout=10
    )
    assert response.status_code == 400


def test_a_tenant_login_page_opened_without_its_browser_cookie_is_refused(tenant_server):
    # The state alone (say, from a Referer or a shared screen) does not continue the login.
    page = open_identifier_page(requests.Session(), tenant_server)
    assert get(page.url).status_code == 400


def test_the_web_app_logout_needs_post_and_its_csrf_token(auth, client):
    auth.login()
    assert client.get("/logout").status_code == 200  # a confirmation, nothing more
    for data in ({}, {"csrf_token": "guess"}):
        assert client.post("/logout", data=data).status_code == 400
    assert "Hello" in client.get("/").text


def test_the_web_app_refresh_needs_its_csrf_token(auth, client, tenant_calls):
    auth.login()
    tenant_calls.clear()
    assert client.post("/profile/refresh").status_code == 400
    assert client.post("/profile/refresh", data={"csrf_token": "guess"}).status_code == 400
    assert "POST /oauth/token" not in tenant_calls


# ---- session fixation and cookie flags ---------------------------------------------------------


def test_the_web_app_session_id_changes_at_login(auth, client):
    client.get("/login")
    planted = client.get_cookie("webapp_session").value
    auth.login()
    assert client.get_cookie("webapp_session").value != planted
    other = client.application.test_client()
    other.set_cookie("webapp_session", planted, domain="localhost")
    assert "Hello" not in other.get("/").text


def test_the_web_app_cookie_is_httponly_lax_and_holds_no_token(auth):
    set_cookie = auth.login().headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "eyJ" not in set_cookie


def test_the_tenant_session_cookie_changes_at_every_login(tenant_server):
    http = requests.Session()
    # An attacker plants a session cookie of their choosing before the victim logs in.
    http.cookies.set("tenant_session", "planted-by-attacker", domain="127.0.0.1", path="/")
    browser_code(tenant_server, http=http)
    first = http.cookies.get("tenant_session")
    assert first and first != "planted-by-attacker"
    # A second, forced login (prompt=login) gets yet another id; the first one is dead.
    tenant_server.advance_clock(30)  # past the resend cooldown
    browser_code(tenant_server, http=http, prompt="login")
    second = http.cookies.get("tenant_session")
    assert second != first
    replay = requests.Session()
    replay.cookies.set("tenant_session", first, domain="127.0.0.1", path="/")
    response = replay.get(
        authorize_url(tenant_server, prompt="none"), allow_redirects=False, timeout=10
    )
    assert query_of(response.headers["Location"])["error"] == "login_required"


def test_the_tenant_cookies_are_httponly_and_lax(tenant_server):
    http = requests.Session()
    response = http.get(authorize_url(tenant_server), allow_redirects=False, timeout=10)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_the_tenant_cookies_are_secure_when_the_issuer_is_https(tmp_path):
    app = create_app(load_config(issuer="https://tenant.test/", data_dir=tmp_path))
    query = urllib.parse.urlsplit(authorize_url(LiveServer("https://tenant.test", app))).query
    response = app.test_client().get("/authorize?" + query, base_url="https://tenant.test/")
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_transaction_does_not_continue_in_another_browser(tenant_server):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server)
    thief = requests.Session()
    thief.cookies.set("tenant_browser", "made-up", domain="127.0.0.1", path="/")
    assert thief.get(page.url, timeout=10).status_code == 400


def test_single_sign_on_needs_the_session_cookie_not_just_the_browser(tenant_server):
    http = requests.Session()
    login_via_universal_login(http, authorize_url(tenant_server), "ada@example.com", tenant_server)
    stranger = requests.Session()
    stranger.cookies.set("tenant_browser", http.cookies.get("tenant_browser"), domain="127.0.0.1")
    response = stranger.get(
        authorize_url(tenant_server, prompt="none"), allow_redirects=False, timeout=10
    )
    assert query_of(response.headers["Location"])["error"] == "login_required"


def test_every_redirect_that_answers_a_form_post_is_303_see_other(tenant_server):
    # https://www.rfc-editor.org/rfc/rfc9700#section-4.12: a 307 would make the browser post
    # the form (code, CSRF token) again to the next site; 303 makes the next request a GET.
    http = requests.Session()
    page = open_identifier_page(http, tenant_server)
    csrf = CSRF.search(page.text).group(1)
    sent = http.post(
        page.url,
        data={"csrf_token": csrf, "username": "ada@example.com", "send": "code"},
        allow_redirects=False,
        timeout=10,
    )
    assert sent.status_code == 303
    challenge = tenant_server.url(sent.headers["Location"])
    code = tenant_server.last_code("ada@example.com")
    verified = http.post(
        challenge, data={"csrf_token": csrf, "code": code}, allow_redirects=False, timeout=10
    )
    assert verified.status_code == 303
    # The app's own POST to /authorize (response to a form) is answered the same way.
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url(tenant_server)).query))
    posted = requests.post(
        tenant_server.url("authorize"), data=query, allow_redirects=False, timeout=10
    )
    assert posted.status_code == 303
    # A GET is still answered with 302.
    assert get(authorize_url(tenant_server)).status_code == 302
