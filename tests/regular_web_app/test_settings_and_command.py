"""Settings (Auth0 quickstart names, read when the app is built) and the `python -m` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from regular_web_app import create_app
from regular_web_app.settings import tenant_base_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("domain", "base_url"),
    [
        ("example.us.auth0.com", "https://example.us.auth0.com"),
        ("example.us.auth0.com/", "https://example.us.auth0.com"),
        ("http://127.0.0.1:4000", "http://127.0.0.1:4000"),
        ("http://127.0.0.1:4000/", "http://127.0.0.1:4000"),
        ("https://login.example.com", "https://login.example.com"),
    ],
)
def test_auth0_domain_is_a_bare_host_or_a_base_url(domain, base_url):
    assert tenant_base_url(domain) == base_url


def test_another_scheme_in_auth0_domain_is_refused():
    with pytest.raises(ValueError, match="AUTH0_DOMAIN"):
        tenant_base_url("ftp://example.com")


def test_defaults_point_at_the_mock_tenant_and_the_demo_client(tmp_path):
    app = create_app({"SESSION_DIR": str(tmp_path)})
    assert app.config["TENANT_BASE_URL"] == "http://127.0.0.1:4000"
    assert app.config["AUTH0_CLIENT_ID"] == "demo-regular-web-app"
    assert app.config["AUTH0_AUDIENCE"] == "urn:passwordless-demo:api"
    assert app.config["API_URL"] == "http://localhost:3010"
    assert app.config["PORT"] == 3000
    # No secret key is shared between two starts.
    assert app.secret_key != create_app({"SESSION_DIR": str(tmp_path)}).secret_key


def test_the_environment_is_read_when_the_app_is_built(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTH0_DOMAIN", "tenant.example.com")
    monkeypatch.setenv("AUTH0_CLIENT_ID", "from-env")
    monkeypatch.setenv("API_URL", "http://localhost:9999/")
    app = create_app({"SESSION_DIR": str(tmp_path)})
    assert app.config["TENANT_BASE_URL"] == "https://tenant.example.com"
    assert app.config["AUTH0_CLIENT_ID"] == "from-env"
    assert app.config["API_URL"] == "http://localhost:9999"
    # A real (HTTPS) tenant means a Secure session cookie.
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_the_callers_config_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTH0_CLIENT_ID", "from-env")
    app = create_app({"SESSION_DIR": str(tmp_path), "AUTH0_CLIENT_ID": "from-test"})
    assert app.config["AUTH0_CLIENT_ID"] == "from-test"


def test_the_app_reads_no_dotenv_file_itself(monkeypatch, tmp_path):
    # Only `python -m regular_web_app` loads .env; the factory stays predictable.
    (tmp_path / ".env").write_text("AUTH0_CLIENT_ID=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    app = create_app({"SESSION_DIR": str(tmp_path / "s")})
    assert app.config["AUTH0_CLIENT_ID"] == "demo-regular-web-app"


def run_module(*args: str, cwd: Path = ROOT, **popen) -> subprocess.Popen:
    """Start `python -m regular_web_app` with the test's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH0_", "API_URL"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(  # noqa: S603 (our interpreter, our module, fixed arguments)
        [sys.executable, "-m", "regular_web_app", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def test_the_command_has_help():
    process = run_module("--help")
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "--port" in out
    assert "AUTH0_DOMAIN" in out


def test_the_command_serves_the_app_and_says_where(tmp_path):
    # Run from a scratch directory (the sessions land there) with a .env file of its own.
    (tmp_path / ".env").write_text("AUTH0_DOMAIN=http://127.0.0.1:4999\n")
    process = run_module("--port", "0", "--env-file", str(tmp_path / ".env"), cwd=tmp_path)
    try:
        first_line = process.stdout.readline().strip()
        assert first_line.startswith("Open http://localhost:")
        url = first_line.removeprefix("Open ")
        # The .env file was read.
        assert process.stdout.readline().startswith("Tenant: http://127.0.0.1:4999 ")
        page = requests.get(url + "/", timeout=10)
        assert page.status_code == 200
        assert "Log in with email" in page.text
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_trusted_hosts_come_from_the_environment(make_web_app, monkeypatch):
    # Behind a real domain the app's own name is set; localhost is then refused too.
    monkeypatch.setenv("TRUSTED_HOSTS", "app.example.com, www.app.example.com")
    client = make_web_app().test_client()
    assert client.get("/", headers={"Host": "www.app.example.com"}).status_code == 200
    refused = client.get("/", headers={"Host": "localhost:3000"})
    assert refused.status_code == 400
    assert "host name" in refused.text
