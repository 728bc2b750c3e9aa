"""Fixtures for the web app: the app against the live tenant, logins, and servers that misbehave."""

from __future__ import annotations

import re
import socket
import urllib.parse
from collections.abc import Callable

import flask
import pytest
import requests

from mock_tenant import create_app as create_tenant_app
from mock_tenant import load_config
from regular_web_app import create_app
from regular_web_app.settings import ENV_NAMES
from tests.servers import LiveServer, serve
from tests.ul_driver import login_via_universal_login

# The tenant registers exactly this callback for the web app, so the test client must
# look like the app served at http://localhost:3000.
WEB_APP_HOST = "localhost:3000"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the developer's shell (AUTH0_DOMAIN=...) out of every test."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_web_app(tmp_path) -> Callable[..., flask.Flask]:
    """Build web apps with settings changed: `make_web_app(AUTH0_DOMAIN=...)`."""

    def make(**config) -> flask.Flask:
        """Create one web app, its sessions in the test's temporary directory."""
        settings = {"SESSION_DIR": str(tmp_path / "web-sessions"), "SERVER_NAME": WEB_APP_HOST}
        settings.update(config)
        app = create_app(settings)
        app.testing = True
        return app

    return make


@pytest.fixture
def web_app(make_web_app, tenant_server) -> flask.Flask:
    """Create the web app pointed at the live tenant."""
    return make_web_app(AUTH0_DOMAIN=tenant_server.base_url)


@pytest.fixture
def client(web_app):
    """Return a test client for the web app (a browser with a cookie jar)."""
    return web_app.test_client()


@pytest.fixture
def tenant_calls(tenant_server) -> list[str]:
    """Record `METHOD /path` of every request the live tenant receives during the test."""
    calls: list[str] = []

    def record(sender, **extra):
        """Note one request the tenant started handling."""
        calls.append(f"{flask.request.method} {flask.request.path}")

    flask.request_started.connect(record, tenant_server.app)
    yield calls
    flask.request_started.disconnect(record, tenant_server.app)


def query_of(url: str) -> dict[str, str]:
    """Return a URL's query parameters as a dict."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


class WebAppActions:
    """Log in to the web app through the tenant's Universal Login, as a browser would."""

    def __init__(self, client, tenant_server):
        self.client = client
        self.tenant = tenant_server
        # The browser's cookies at the tenant (its SSO session), apart from the app's.
        self.browser = requests.Session()

    def start(self, query: str = "connection=email") -> str:
        """Open /login and return the tenant URL it redirects to."""
        response = self.client.get(f"/login?{query}")
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def callback_url(self, identifier: str = "ada@example.com", query: str = "connection=email"):
        """Start a login and go through the tenant's pages; return the callback URL."""
        return login_via_universal_login(self.browser, self.start(query), identifier, self.tenant)

    def login(self, identifier: str = "ada@example.com", query: str = "connection=email"):
        """Log in all the way and return the app's answer to /callback."""
        response = self.client.get(self.callback_url(identifier, query))
        assert response.status_code == 302, response.text
        return response

    def csrf_token(self, page: str = "/") -> str:
        """Read the CSRF token from a page's form, as the browser would send it."""
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(page).text)
        assert match, f"no form with a CSRF token on {page}"
        return match.group(1)

    def logout(self):
        """Press the "Log out" button and return the app's answer."""
        return self.client.post("/logout", data={"csrf_token": self.csrf_token()})

    def session(self) -> dict:
        """Return a copy of the server-side session (for checks the pages do not show)."""
        with self.client.session_transaction() as session:
            return dict(session)


@pytest.fixture
def auth(client, tenant_server) -> WebAppActions:
    """Log in and out of the web app against the live tenant."""
    return WebAppActions(client, tenant_server)


def closed_port_url() -> str:
    """Return a loopback URL where nothing listens (a tenant that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


HTML_ERROR_PAGE = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>"


class FaultyGateway:
    """A proxy in front of a real tenant that can start answering some paths with garbage.

    This is how an outage often looks from a client: the tenant is fine, but the load
    balancer in front of it answers an HTML error page, or a truncated body.
    """

    def __init__(self, tenant_app):
        self.tenant_app = tenant_app
        # path -> (status line, content type, body)
        self.faults: dict[str, tuple[str, str, bytes]] = {}

    def break_path(self, path: str, status: str, content_type: str, body: bytes) -> None:
        """Answer `path` with this status and body from now on."""
        self.faults[path] = (status, content_type, body)

    def __call__(self, environ, start_response):
        """Answer a broken path with its garbage, or pass the request to the tenant."""
        fault = self.faults.get(environ["PATH_INFO"])
        if fault is None:
            return self.tenant_app(environ, start_response)
        status, content_type, body = fault
        start_response(status, [("Content-Type", content_type)])
        return [body]


@pytest.fixture
def gateway_tenant(tmp_path) -> LiveServer:
    """Run a real tenant of its own behind a FaultyGateway (`.app` is the gateway)."""

    def make_app(base_url: str) -> FaultyGateway:
        """Build the tenant for this base URL and put the gateway in front."""
        config = load_config(issuer=base_url + "/", data_dir=tmp_path / "gateway-tenant")
        return FaultyGateway(create_tenant_app(config))

    with serve(make_app) as server:
        yield server
