"""/profile (claims, decoded tokens, refresh with rotation) and /api-call (the sample API)."""

from __future__ import annotations

import re

import jwt
import pytest
import requests

from regular_web_app.views import peek
from sample_api import create_app as create_api
from tests.regular_web_app.conftest import HTML_ERROR_PAGE, WebAppActions, closed_port_url
from tests.servers import TenantServer, serve, serve_tenant


def refresh_fingerprint(page: str) -> str:
    """Read the refresh token's fingerprint from the profile page."""
    return re.search(r"fingerprint <code>(…[0-9a-f]{8})</code>", page).group(1)


def test_the_profile_shows_claims_and_both_tokens_decoded(auth, client):
    auth.login()
    page = client.get("/profile").text
    # The claims the app kept, and the tokens taken apart (header and payload).
    assert "ada@example.com" in page
    assert "ID token" in page and "Access token" in page
    assert "&#34;alg&#34;: &#34;RS256&#34;" in page or '"alg": "RS256"' in page
    assert "urn:passwordless-demo:api" in page
    # With their expiry.
    assert page.count("Expires <strong>") == 2
    # The raw tokens themselves are not on the page.
    tokens = auth.session()["tokens"]
    assert tokens["access_token"] not in page
    assert tokens["id_token"] not in page
    assert tokens["refresh_token"] not in page


def test_the_profile_shows_initials_not_a_third_party_picture(auth, client):
    auth.login()
    page = client.get("/profile").text
    # The `picture` claim is shown as text in the decoded token, but never loaded.
    assert "<img" not in page
    # Ada Lovelace is seeded with given and family names.
    assert ">AL</span>" in page


def test_refreshing_rotates_the_refresh_token(auth, client):
    auth.login()
    before = refresh_fingerprint(client.get("/profile").text)
    # Press "Refresh tokens" (a POST form with the CSRF token).
    response = client.post("/profile/refresh", data={"csrf_token": auth.csrf_token("/profile")})
    assert response.status_code == 302
    page = client.get("/profile").text
    after = refresh_fingerprint(page)
    # A new refresh token, and the page says the old one rotated away.
    assert after != before
    assert f"The refresh token rotated: {before}" in page
    assert after in page


def test_refreshing_needs_the_csrf_token(auth, client):
    auth.login()
    before = auth.session()["tokens"]["refresh_token"]
    assert client.post("/profile/refresh").status_code == 400
    assert auth.session()["tokens"]["refresh_token"] == before


def test_a_revoked_refresh_token_ends_the_session_with_a_friendly_page(auth, client, tenant_server):
    auth.login()
    csrf = auth.csrf_token("/profile")
    # The refresh token is revoked at the tenant behind the app's back (another device,
    # an admin, reuse detection).
    requests.post(
        tenant_server.url("oauth/revoke"),
        data={
            "client_id": "demo-regular-web-app",
            "client_secret": "demo-regular-web-app-secret",
            "token": auth.session()["tokens"]["refresh_token"],
        },
        timeout=10,
    ).raise_for_status()
    response = client.post("/profile/refresh", data={"csrf_token": csrf})
    assert response.status_code == 401
    assert "Your session has ended" in response.text
    # The app dropped its session too.
    assert "Hello" not in client.get("/").text


def test_refreshing_while_the_tenant_is_down_shows_a_friendly_page(make_web_app, tmp_path):
    # Log in at a tenant of our own, then that tenant goes away.
    with serve_tenant(tmp_path / "short-lived") as tenant:
        auth = WebAppActions(make_web_app(AUTH0_DOMAIN=tenant.base_url).test_client(), tenant)
        auth.login()
        csrf = auth.csrf_token("/profile")
    # Press "Refresh tokens".
    response = auth.client.post("/profile/refresh", data={"csrf_token": csrf})
    assert response.status_code == 503
    assert "The login service is not answering" in response.text
    # Still signed in: a passing outage is no reason to log out.
    assert "Hello" in auth.client.get("/").text


def test_refresh_answered_with_html_shows_a_friendly_page(make_web_app, gateway_tenant):
    # Log in through a gateway in front of a real tenant.
    tenant = TenantServer(gateway_tenant.base_url, gateway_tenant.app)
    auth = WebAppActions(make_web_app(AUTH0_DOMAIN=tenant.base_url).test_client(), tenant)
    auth.login()
    csrf = auth.csrf_token("/profile")
    # The gateway starts answering the token endpoint with an HTML error page.
    gateway_tenant.app.break_path("/oauth/token", "502 Bad Gateway", "text/html", HTML_ERROR_PAGE)
    response = auth.client.post("/profile/refresh", data={"csrf_token": csrf})
    assert response.status_code == 502
    assert "could not read" in response.text
    assert "Hello" in auth.client.get("/").text


@pytest.fixture
def api(tenant_server):
    """Run the sample API against the live tenant."""
    with serve(lambda base_url: create_api({"AUTH0_DOMAIN": tenant_server.base_url})) as server:
        yield server


@pytest.fixture
def api_auth(make_web_app, tenant_server, api) -> WebAppActions:
    """Log in to a web app whose API_URL is the live sample API."""
    app = make_web_app(AUTH0_DOMAIN=tenant_server.base_url, API_URL=api.base_url)
    return WebAppActions(app.test_client(), tenant_server)


def api_statuses(page: str) -> list[str]:
    """Read the HTTP statuses the /api-call page shows, in order."""
    return re.findall(r'class="status status-\w+">\s*(\d{3})', page)


def test_the_api_call_without_the_scope_shows_200_then_403(api_auth):
    api_auth.login()
    page = api_auth.client.get("/api-call").text
    # /api/private accepts the token; /api/private-scoped wants read:messages.
    assert api_statuses(page) == ["200", "403"]
    assert "insufficient_scope" in page
    assert "Log in again, asking for read:messages" in page


def test_the_api_call_with_the_scope_shows_200_twice(api_auth):
    # Log in asking for the API's read:messages permission.
    api_auth.login(query="connection=email&scope=read:messages")
    page = api_auth.client.get("/api-call").text
    assert api_statuses(page) == ["200", "200"]


def test_the_api_call_with_the_api_down_shows_a_friendly_message(auth, client):
    auth.login()
    client.application.config["API_URL"] = closed_port_url()
    page = client.get("/api-call")
    assert page.status_code == 200
    assert page.text.count("is not reachable") == 2


def test_peek_decodes_header_and_payload_without_judging():
    # Signed with a key nobody checks: peek only shows what a token says.
    key = "a-key-only-this-test-knows-0123456789"
    token = jwt.encode({"iss": "https://anyone.test/"}, key, headers={"kid": "k1"})
    decoded = peek(token)
    assert decoded["header"]["kid"] == "k1"
    assert decoded["payload"]["iss"] == "https://anyone.test/"
    # An opaque access token is not a JWT: nothing to show.
    assert peek("opaque-token-value") is None


def test_the_api_page_with_the_tenant_down_says_so_in_a_page_of_its_own(make_web_app, tmp_path):
    # Log in at a tenant of our own, with a sample API that has not fetched its keys yet.
    with serve_tenant(tmp_path / "short-lived") as tenant:
        app = make_web_app(AUTH0_DOMAIN=tenant.base_url)
        auth = WebAppActions(app.test_client(), tenant)
        auth.login()
        api_config = {"AUTH0_DOMAIN": tenant.base_url}
    # The tenant is gone (its port is closed); the API cannot check any token now.
    with serve(lambda base_url: create_api(api_config)) as api:
        app.config["API_URL"] = api.base_url
        response = auth.client.get("/api-call")
    assert response.status_code == 503
    assert "The API cannot reach the login service" in response.text
    assert api_statuses(response.text) == []
