"""/login: the redirect to Universal Login, its parameters, and where the visitor lands after."""

from __future__ import annotations

import base64
import hashlib

import pytest

from regular_web_app.auth import safe_next
from tests.constants import API_AUDIENCE, WEB_CLIENT
from tests.regular_web_app.conftest import query_of


def test_login_redirects_to_the_tenant_with_pkce_state_nonce_and_audience(client, tenant_server):
    # Ask to log in with email.
    response = client.get("/login?connection=email")
    # The browser goes to the tenant's /authorize endpoint (found by discovery).
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(tenant_server.url("authorize") + "?")
    params = query_of(location)
    assert params["response_type"] == "code"
    assert params["client_id"] == WEB_CLIENT
    assert params["redirect_uri"] == "http://localhost:3000/callback"
    assert params["scope"] == "openid profile email offline_access"
    assert params["audience"] == API_AUDIENCE
    assert params["connection"] == "email"
    # PKCE with S256 only, and state and nonce long enough not to be guessed.
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 43 and len(params["nonce"]) >= 43


def test_the_code_challenge_is_the_hash_of_a_verifier_kept_on_the_server(client):
    # Start a login and read the verifier Authlib kept in the server-side session.
    params = query_of(client.get("/login").headers["Location"])
    with client.session_transaction() as session:
        verifier = session[f"_state_auth0_{params['state']}"]["data"]["code_verifier"]
    # RFC 7636 4.2: challenge = BASE64URL(SHA256(verifier)), without padding.
    digest = hashlib.sha256(verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_each_login_gets_its_own_state_and_nonce(client):
    first = query_of(client.get("/login").headers["Location"])
    second = query_of(client.get("/login").headers["Location"])
    assert first["state"] != second["state"]
    assert first["nonce"] != second["nonce"]


@pytest.mark.parametrize("connection", ["email", "sms"])
def test_login_passes_a_known_connection_on(client, connection):
    params = query_of(client.get(f"/login?connection={connection}").headers["Location"])
    assert params["connection"] == connection


def test_login_drops_an_unknown_connection(client):
    params = query_of(client.get("/login?connection=google-oauth2").headers["Location"])
    assert "connection" not in params


def test_login_asks_for_an_api_permission_from_the_allowed_list_only(client):
    # read:messages is on the list; delete:everything is not.
    params = query_of(
        client.get("/login?scope=read:messages delete:everything").headers["Location"]
    )
    assert params["scope"] == "openid profile email offline_access read:messages"


def test_login_can_force_the_code_prompt_again(client):
    params = query_of(client.get("/login?prompt=login").headers["Location"])
    assert params["prompt"] == "login"
    params = query_of(client.get("/login?prompt=none").headers["Location"])
    assert "prompt" not in params


def test_login_sets_a_session_cookie_that_holds_only_a_random_id(client):
    response = client.get("/login")
    cookie = client.get_cookie("webapp_session")
    assert cookie is not None
    # The cookie is an id (32 random bytes, base64url), not data: nothing JWT-shaped.
    assert len(cookie.value) == 43 and "." not in cookie.value
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    # Served over plain HTTP on loopback, the cookie cannot be Secure (browsers drop it).
    assert "Secure" not in header


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile", "/profile"),
        ("/api-call?x=1", "/api-call?x=1"),
        ("https://evil.test", "/"),
        ("//evil.test", "/"),
        ("/\\evil.test", "/"),
        ("\\\\evil.test", "/"),
        ("http:/evil.test", "/"),
        ("javascript:alert(1)", "/"),
        ("/profile\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_only_local_paths_are_allowed_as_the_next_page(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize("target", ["https://evil.test", "//evil.test"])
def test_after_login_an_outside_next_goes_home(auth, target):
    # Start with ?next= pointing off-site, then log in for real.
    response = auth.login(query=f"next={target}")
    # The app sends the browser to its own home page, not to evil.test.
    assert response.headers["Location"] == "/"


def test_after_login_a_local_next_is_honoured(auth):
    response = auth.login(query="next=/api-call")
    assert response.headers["Location"] == "/api-call"


def test_a_page_that_needs_login_sends_the_visitor_to_login_and_back(client, auth):
    # Open the profile without a session: off to /login, remembering the page.
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/profile"
    # Log in from there and land on the profile.
    assert auth.login(query="next=/profile").headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
