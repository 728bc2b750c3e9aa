"""Settings: the AUTH0_DOMAIN rule, the defaults, and where each value comes from."""

import subprocess
import sys
from pathlib import Path

import pytest

from sample_api import create_app
from sample_api.settings import tenant_base_url


@pytest.mark.parametrize(
    ("domain", "base_url"),
    [
        # A bare host is a real Auth0 tenant: HTTPS is meant.
        ("example.us.auth0.com", "https://example.us.auth0.com"),
        ("example.us.auth0.com/", "https://example.us.auth0.com"),
        ("login.example.com:8443", "https://login.example.com:8443"),
        # A full base URL is kept as it is (the local tenant runs on plain HTTP).
        ("http://127.0.0.1:4000", "http://127.0.0.1:4000"),
        ("http://127.0.0.1:4000/", "http://127.0.0.1:4000"),
        ("https://example.us.auth0.com", "https://example.us.auth0.com"),
    ],
)
def test_auth0_domain_is_a_bare_host_or_a_full_base_url(domain, base_url):
    assert tenant_base_url(domain) == base_url


def test_auth0_domain_with_another_scheme_is_a_configuration_error():
    with pytest.raises(ValueError, match="AUTH0_DOMAIN"):
        tenant_base_url("ftp://example.com")


def test_defaults_point_at_the_local_tenant_and_the_spa():
    app = create_app()
    validator = app.extensions["sample_api.validator"]
    assert validator.issuer == "http://127.0.0.1:4000/"
    assert validator.audience == "urn:passwordless-demo:api"
    assert validator.jwks.uri == "http://127.0.0.1:4000/.well-known/jwks.json"
    assert app.config["PORT"] == 3010
    assert app.config["ALLOWED_ORIGINS"] == ("http://localhost:3001",)


def test_environment_uses_the_auth0_quickstart_names(monkeypatch):
    monkeypatch.setenv("AUTH0_DOMAIN", "example.us.auth0.com")
    monkeypatch.setenv("AUTH0_AUDIENCE", "https://api.example.com")
    validator = create_app().extensions["sample_api.validator"]
    assert validator.issuer == "https://example.us.auth0.com/"
    assert validator.audience == "https://api.example.com"


def test_the_callers_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("AUTH0_DOMAIN", "example.us.auth0.com")
    app = create_app({"AUTH0_DOMAIN": "http://127.0.0.1:4999"})
    assert app.extensions["sample_api.validator"].issuer == "http://127.0.0.1:4999/"


def test_importing_the_package_reads_no_environment_and_calls_no_one():
    # A fresh interpreter with a broken AUTH0_DOMAIN: import must not care, nor touch the network.
    code = "import sample_api, sample_api.views, sample_api.validator; print('ok')"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        env={"AUTH0_DOMAIN": "ftp://broken"},
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_only_the_trusted_host_names_are_answered(monkeypatch):
    # Defaults: the loopback names, any port (a DNS-rebound name gets 400, as JSON).
    client = create_app().test_client()
    assert client.get("/api/public", headers={"Host": "127.0.0.1:3010"}).status_code == 200
    refused = client.get("/api/public", headers={"Host": "evil.example:3010"})
    assert (refused.status_code, refused.get_json()["error"]) == (400, "bad_request")
    monkeypatch.setenv("TRUSTED_HOSTS", "api.example.com")
    client = create_app().test_client()
    assert client.get("/api/public", headers={"Host": "api.example.com"}).status_code == 200
    assert client.get("/api/public", headers={"Host": "localhost:3010"}).status_code == 400
