"""The tenant's CORS for single-page apps: the app's web origin only, token and revoke only."""

from __future__ import annotations

import pytest
import requests

from tests.constants import OTP_GRANT, SPA_CLIENT, SPA_ORIGIN, WEB_CLIENT

# An origin that no client of the bundled tenant.toml lists.
STRANGER = "http://localhost:3002"


def preflight(tenant_server, path: str, origin: str) -> requests.Response:
    """Send the preflight a browser sends before auth0-spa-js's POST."""
    # https://fetch.spec.whatwg.org/#cors-preflight-fetch
    return requests.options(
        tenant_server.url(path),
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "auth0-client,content-type",
        },
        timeout=10,
    )


def bad_refresh(tenant_server, origin: str, client_id: str = SPA_CLIENT) -> requests.Response:
    """Post a refresh token grant that fails, as a browser would from `origin`."""
    return requests.post(
        tenant_server.url("oauth/token"),
        data={"grant_type": "refresh_token", "client_id": client_id, "refresh_token": "nope"},
        headers={"Origin": origin, "Auth0-Client": "eyJuYW1lIjoidGVzdCJ9"},
        timeout=10,
    )


@pytest.mark.parametrize("path", ["oauth/token", "oauth/revoke"])
def test_preflight_from_the_app_origin_is_allowed(tenant_server, path):
    response = preflight(tenant_server, path, SPA_ORIGIN)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type, Auth0-Client"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("path", ["oauth/token", "oauth/revoke"])
def test_preflight_from_an_unlisted_origin_names_nobody(tenant_server, path):
    response = preflight(tenant_server, path, STRANGER)
    assert not any(name.startswith("Access-Control-") for name in response.headers)


def test_token_answers_the_app_origin_even_for_an_error(tenant_server):
    # The app must be able to read Auth0's error to know it should log in again.
    response = bad_refresh(tenant_server, SPA_ORIGIN)
    assert response.status_code == 403
    assert response.json()["error"] == "invalid_grant"
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert "Origin" in response.headers["Vary"]


def test_token_names_no_unlisted_origin(tenant_server):
    response = bad_refresh(tenant_server, STRANGER)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_origin_is_allowed_only_for_its_own_client(tenant_server):
    # The web app lists no web origins: a browser page may not read its token answers.
    response = bad_refresh(tenant_server, SPA_ORIGIN, client_id=WEB_CLIENT)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_revoke_answers_the_app_origin(tenant_server):
    response = requests.post(
        tenant_server.url("oauth/revoke"),
        data={"client_id": SPA_CLIENT, "token": "unknown", "token_type_hint": "refresh_token"},
        headers={"Origin": SPA_ORIGIN},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "userinfo"),
        ("GET", ".well-known/openid-configuration"),
        # No client named: whose Allowed Web Origins would apply? (Auth0 lets SPAs start a
        # passwordless login with CORS: tests/mock_tenant/test_auth0_fidelity.py, row 9.)
        ("POST", "passwordless/start"),
        ("OPTIONS", "userinfo"),
    ],
)
def test_other_endpoints_send_no_cors_headers(tenant_server, method, path):
    headers = {"Origin": SPA_ORIGIN, "Access-Control-Request-Method": "POST"}
    response = requests.request(method, tenant_server.url(path), headers=headers, timeout=10)
    assert not any(name.startswith("Access-Control-") for name in response.headers)


def test_the_spa_client_may_not_use_the_otp_grant(tenant_server):
    # Single-page apps use Universal Login; the one-time-code grant is for trusted clients.
    response = requests.post(
        tenant_server.url("oauth/token"),
        data={
            "grant_type": OTP_GRANT,
            "client_id": SPA_CLIENT,
            "realm": "email",
            "username": "ada@example.com",
            "otp": "123456",
        },
        headers={"Origin": SPA_ORIGIN},
        timeout=10,
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": f"Grant type '{OTP_GRANT}' not allowed for the client.",
    }
