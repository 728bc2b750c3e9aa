"""CORS: the single-page app's origin may call the API with a bearer token; others may not."""

import requests

from tests.constants import SPA_ORIGIN
from tests.sample_api.helpers import call


def preflight(api, origin: str, path: str = "api/private") -> requests.Response:
    """Send the OPTIONS request a browser sends before a GET with an Authorization header."""
    return requests.options(
        api.url(path),
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=10,
    )


def test_preflight_from_the_spa_allows_get_with_an_authorization_header(api):
    response = preflight(api, SPA_ORIGIN)
    # The preflight carries no token, and must not need one.
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_from_another_origin_gets_no_cors_headers(api):
    for origin in ("https://evil.example.com", "http://localhost:3000", "null"):
        response = preflight(api, origin)
        assert "Access-Control-Allow-Origin" not in response.headers, origin
        assert "Access-Control-Allow-Headers" not in response.headers, origin


def test_spa_can_read_a_refusal_and_its_challenge(api):
    # A 401 is an answer the SPA must see (to log in again), so it carries CORS headers too.
    response = call(api, "api/private", "not-a-jwt", Origin=SPA_ORIGIN)
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert response.headers["Access-Control-Expose-Headers"] == "WWW-Authenticate"
    assert "Origin" in response.headers["Vary"]


def test_spa_can_read_a_successful_answer(api, login):
    response = call(api, "api/private-scoped", login.access_token(), Origin=SPA_ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN


def test_another_origin_gets_the_answer_but_its_browser_may_not_read_it(api):
    response = call(api, "api/public", Origin="https://evil.example.com")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_allowed_origins_come_from_the_environment(monkeypatch, start_api, tenant_server):
    monkeypatch.setenv("ALLOWED_ORIGINS", "http://localhost:5173, https://app.example.com/")
    api = start_api(AUTH0_DOMAIN=tenant_server.base_url)
    assert preflight(api, "https://app.example.com").headers["Access-Control-Allow-Origin"]
    assert preflight(api, "http://localhost:5173").headers["Access-Control-Allow-Origin"]
    assert "Access-Control-Allow-Origin" not in preflight(api, SPA_ORIGIN).headers
