"""The server-side session: what the cookie holds, a new id at login, and a logout that ends it."""

from __future__ import annotations

import requests

from tests.constants import WEB_CLIENT, WEB_SECRET
from tests.regular_web_app.conftest import WebAppActions, query_of
from tests.servers import serve_tenant


def refresh_at_tenant(tenant_server, refresh_token: str) -> requests.Response:
    """Try a refresh token at the tenant's token endpoint, as the app would."""
    return requests.post(
        tenant_server.url("oauth/token"),
        data={
            "grant_type": "refresh_token",
            "client_id": WEB_CLIENT,
            "client_secret": WEB_SECRET,
            "refresh_token": refresh_token,
        },
        timeout=10,
    )


def test_a_full_login_signs_the_user_in(auth, client):
    auth.login()
    page = client.get("/")
    assert "Hello, Ada!" in page.text
    assert "Log out" in page.text


def test_the_session_id_changes_at_login(auth, client):
    # The cookie from before login (an attacker could have planted this one).
    client.get("/login")
    before = client.get_cookie("webapp_session").value
    auth.login()
    after = client.get_cookie("webapp_session").value
    assert after != before
    # The old id opens nothing now.
    other = auth.client.application.test_client()
    other.set_cookie("webapp_session", before, domain="localhost")
    assert "Hello" not in other.get("/").text


def test_tokens_never_reach_the_cookie(auth, client):
    response = auth.login()
    session = auth.session()
    tokens = session["tokens"]
    set_cookie = response.headers["Set-Cookie"]
    # The cookie is the session id alone; every token stays on the server.
    for token in (tokens["id_token"], tokens["access_token"], tokens["refresh_token"]):
        assert token not in set_cookie
    assert "eyJ" not in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_the_session_keeps_only_the_claims_the_pages_need(auth):
    auth.login()
    user = auth.session()["user"]
    assert user["sub"].startswith("email|")
    assert user["email"] == "ada@example.com"
    # Not the picture URL, not the token's bookkeeping claims.
    assert not {"picture", "nonce", "aud", "iss", "exp"} & set(user)


def test_the_cookie_is_secure_when_the_tenant_is_https(make_web_app):
    app = make_web_app(AUTH0_DOMAIN="example.us.auth0.com")
    assert app.config["TENANT_BASE_URL"] == "https://example.us.auth0.com"
    client = app.test_client()
    # Write a session and look at the cookie the browser receives.
    with client.session_transaction() as session:
        session["probe"] = 1
    assert client.get_cookie("webapp_session").secure


def test_logout_needs_post(auth, client):
    auth.login()
    # A link or an <img src="/logout"> on another site only shows a confirmation page.
    page = client.get("/logout")
    assert page.status_code == 200
    assert "Log out?" in page.text
    assert "Hello" in client.get("/").text


def test_logout_needs_the_csrf_token(auth, client):
    auth.login()
    # A form posted from another site has no CSRF token (or a wrong one).
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "guess"}).status_code == 400
    assert "Hello" in client.get("/").text


def test_logout_ends_every_session_and_revokes_the_refresh_token(auth, client, tenant_server):
    auth.login()
    old_cookie = client.get_cookie("webapp_session").value
    session = auth.session()
    refresh_token = session["tokens"]["refresh_token"]
    # Press "Log out" (the form carries the CSRF token).
    response = auth.logout()
    # The browser goes on to the tenant's logout, which returns to our home page.
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(tenant_server.url("v2/logout") + "?")
    assert query_of(location) == {"client_id": WEB_CLIENT, "returnTo": "http://localhost:3000/"}
    # The tenant accepts that returnTo (it is an allowed logout URL).
    assert auth.browser.get(location, allow_redirects=False).headers["Location"] == (
        "http://localhost:3000/"
    )
    # The old session cookie no longer opens anything.
    replay = auth.client.application.test_client()
    replay.set_cookie("webapp_session", old_cookie, domain="localhost")
    assert "Hello" not in replay.get("/").text
    assert replay.get("/profile").status_code == 302
    # The refresh token is revoked at the tenant.
    refused = refresh_at_tenant(tenant_server, refresh_token)
    assert refused.status_code == 403
    assert refused.json()["error"] == "invalid_grant"


def test_after_logout_login_asks_for_a_code_again(auth, client):
    auth.login()
    logout = auth.logout()
    # Follow the tenant's logout in the same browser: its SSO session ends.
    auth.browser.get(logout.headers["Location"], allow_redirects=False)
    # A new login does not come straight back (the identifier page is shown).
    response = auth.browser.get(auth.start(), allow_redirects=False)
    assert "/u/login/" in response.headers["Location"]


def test_logging_out_without_a_session_is_harmless(client):
    response = client.post("/logout", data={"csrf_token": "x"})
    assert response.status_code == 400
    assert "This form has expired" in response.text


def test_logout_while_the_tenant_is_down_still_ends_the_local_session(make_web_app, tmp_path):
    # Log in at a tenant of our own, then that tenant goes away.
    with serve_tenant(tmp_path / "short-lived") as tenant:
        auth = WebAppActions(make_web_app(AUTH0_DOMAIN=tenant.base_url).test_client(), tenant)
        auth.login()
    # The refresh token cannot be revoked now, but the app's session ends all the same, and
    # a page of the app's own says so (not the browser's "cannot connect" at the tenant).
    response = auth.logout()
    assert response.status_code == 503
    assert "Logged out of this app only" in response.text
    assert "the login service (the tenant) cannot be reached" in response.text
    assert "Hello" not in auth.client.get("/").text


def test_over_https_the_session_cookie_has_the_host_prefix(make_web_app, tenant_server):
    app = make_web_app(AUTH0_DOMAIN=tenant_server.base_url, APP_BASE_URL="https://localhost:3000")
    response = app.test_client().get("/login", base_url="https://localhost:3000")
    set_cookie = response.headers["Set-Cookie"]
    # __Host- cookies must be Secure, on Path=/ and without Domain, or browsers drop them.
    assert set_cookie.startswith("__Host-webapp_session=")
    assert "Secure" in set_cookie and "Path=/" in set_cookie
    assert "Domain" not in set_cookie


def test_over_plain_http_the_session_cookie_keeps_its_name(web_app):
    response = web_app.test_client().get("/login")
    assert response.headers["Set-Cookie"].startswith("webapp_session=")
    assert web_app.config["APP_BASE_URL"] == "http://localhost:3000"
