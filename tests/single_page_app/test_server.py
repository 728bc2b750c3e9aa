"""The SPA's tiny server: the page, the modules, the vendored SDK, /config.json, headers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from single_page_app import create_app, views


def test_config_json_defaults_to_the_local_tenant_and_api(client):
    assert client.get("/config.json").get_json() == {
        "domain": "http://127.0.0.1:4000",
        "clientId": "demo-single-page-app",
        "audience": "urn:passwordless-demo:api",
        "apiUrl": "http://localhost:3010",
        "cacheLocation": "memory",
    }


def test_config_json_follows_the_environment(monkeypatch):
    monkeypatch.setenv("AUTH0_DOMAIN", "example.us.auth0.com")
    monkeypatch.setenv("AUTH0_CLIENT_ID", "abc")
    monkeypatch.setenv("CACHE_LOCATION", "localstorage")
    body = create_app().test_client().get("/config.json").get_json()
    # A bare host means HTTPS, as with a real Auth0 tenant.
    assert body["domain"] == "https://example.us.auth0.com"
    assert body["clientId"] == "abc"
    assert body["cacheLocation"] == "localstorage"


def test_an_unknown_cache_location_is_refused():
    with pytest.raises(ValueError, match="CACHE_LOCATION"):
        create_app({"CACHE_LOCATION": "sessionstorage"})


def test_the_page_and_its_modules_are_served_with_a_strict_policy(client):
    # `with` closes each file response (filterwarnings=error turns a leak into a failure).
    with client.get("/") as page:
        assert page.status_code == 200
        assert b'<script type="module" src="/js/app.js">' in page.data
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "connect-src 'self' http://127.0.0.1:4000 http://localhost:3010" in csp
        assert "worker-src 'self'" in csp
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["X-Frame-Options"] == "DENY"
    for module in ("app", "auth", "ui"):
        with client.get(f"/js/{module}.js") as response:
            assert response.status_code == 200
            assert response.mimetype in ("text/javascript", "application/javascript")


def test_the_callback_page_is_the_same_page_and_not_cached(client):
    with client.get("/?code=abc&state=xyz") as response:
        assert b"/js/app.js" in response.data
        assert response.headers["Cache-Control"] == "no-store"


def test_only_the_two_sdk_files_are_served_from_node_modules(client):
    assert client.get("/vendor/package.json").status_code == 404
    assert client.get("/vendor/..%2Fpackage.json").status_code == 404


def test_a_missing_sdk_says_how_to_install_it(client, monkeypatch, tmp_path):
    monkeypatch.setattr(views, "SDK_DIST", tmp_path)
    response = client.get("/vendor/auth0-spa-js.production.esm.js")
    assert response.status_code == 503
    assert "npm ci" in response.get_json()["error_description"]


def test_the_command_explains_itself():
    result = subprocess.run(
        [sys.executable, "-m", "single_page_app", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "AUTH0_DOMAIN" in result.stdout
    assert "CACHE_LOCATION" in result.stdout


def test_only_the_trusted_host_names_are_answered(monkeypatch):
    # Defaults: the loopback names, any port (a DNS-rebound name gets 400).
    client = create_app().test_client()
    assert client.get("/config.json", headers={"Host": "localhost:3001"}).status_code == 200
    assert client.get("/config.json", headers={"Host": "evil.example:3001"}).status_code == 400
    monkeypatch.setenv("TRUSTED_HOSTS", "spa.example.com")
    client = create_app().test_client()
    assert client.get("/config.json", headers={"Host": "spa.example.com"}).status_code == 200
    assert client.get("/config.json", headers={"Host": "localhost:3001"}).status_code == 400
