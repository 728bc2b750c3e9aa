"""Fixtures for the native app: its client on the live tenant, the sample API, odd servers."""

from __future__ import annotations

import socket
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response

from native_tui_app.app import NativeApp
from native_tui_app.client import PasswordlessClient
from sample_api import create_app as create_api
from tests.constants import API_AUDIENCE, NATIVE_CLIENT
from tests.issuers import KeyIssuer
from tests.native_tui_app.helpers import FakeClock
from tests.native_tui_app.helpers import key_server as make_key_server
from tests.servers import serve


@pytest.fixture(autouse=True)
def no_auth0_environment(monkeypatch, tmp_path):
    """Keep the developer's shell (AUTH0_DOMAIN=..., their config dir) out of every test."""
    for name in ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_AUDIENCE", "API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def api(tenant_server):
    """Run the sample API, trusting the live tenant's tokens."""
    with serve(lambda base_url: create_api({"AUTH0_DOMAIN": tenant_server.base_url})) as live:
        yield live


@pytest.fixture
def unreachable_url() -> str:
    """Return a loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def client(tenant_server, unreachable_url) -> PasswordlessClient:
    """Return the app's client for the live tenant (no API unless a test adds one)."""
    return PasswordlessClient(
        domain=tenant_server.base_url,
        client_id=NATIVE_CLIENT,
        audience=API_AUDIENCE,
        api_url=unreachable_url,
    )


@pytest.fixture
def api_client(client, api) -> PasswordlessClient:
    """Return the client, pointed at a running sample API."""
    client.api_url = api.base_url
    return client


@pytest.fixture
def clock() -> FakeClock:
    """Return a clock frozen at the start of the test; tests move it by hand."""
    return FakeClock(time.time())


def _no_browser(url: str) -> None:
    """Fail loudly: a test that opens the browser must say how."""
    raise AssertionError(f"the test did not expect a browser to open {url}")


@pytest.fixture
def make_app(client, clock):
    """Return a factory of apps on the live tenant, with a frozen clock and no real browser."""

    def make(**options) -> NativeApp:
        """Build a NativeApp; keyword arguments replace the defaults."""
        options.setdefault("clock", clock)
        options.setdefault("open_browser", _no_browser)
        return NativeApp(options.pop("client", client), **options)

    return make


@pytest.fixture
def html_server():
    """Run a server that answers every request with an HTML error page, like a proxy would."""

    def make_app(base_url: str):
        """Answer 502 with HTML whatever is asked."""
        app = Flask("html_server")

        @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
        @app.route("/<path:path>", methods=["GET", "POST"])
        def anything(path):
            """Answer like a broken gateway."""
            return Response("<html><h1>502 Bad Gateway</h1></html>", 502, mimetype="text/html")

        return app

    with serve(make_app) as live:
        yield live


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """Make one RSA key no tenant knows, to sign ID tokens of our own."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_server(rsa_key) -> KeyIssuer:
    """Run an issuer that only publishes a JWKS for `rsa_key` and counts the fetches."""
    issuer = make_key_server(rsa_key)
    with serve(issuer.make_app):
        yield issuer


@pytest.fixture
def seeded_user(tenant_server):
    """Return a function that creates a tenant user with given profile claims."""

    def create(email: str, **claims) -> dict:
        """Create the user through the tenant's dev API."""
        response = requests.post(
            tenant_server.url("_dev/api/users"), json={"email": email, "claims": claims}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    return create
