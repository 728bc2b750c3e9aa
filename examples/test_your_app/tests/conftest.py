"""Your app on a free port, pointed at the local tenant that the passwordless-tenant plugin runs."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from app import create_app
from werkzeug.serving import make_server

from mock_tenant.testing import tenant_config

CLIENT_ID = "your-app"
# A test value: the tenant and the app only ever see each other on this machine.
CLIENT_SECRET = "your-app-secret-for-tests"
# Your back office: a machine-to-machine app that manages users through the Management API.
BACK_OFFICE_ID = "your-back-office"
BACK_OFFICE_SECRET = "your-back-office-secret-for-tests"


class AppServer:
    """Your app served from a thread, on a port chosen before the tenant starts."""

    def __init__(self):
        self.server = make_server("localhost", 0, lambda environ, start: [], threaded=True)
        self.url = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def point_at(self, tenant) -> str:
        """Serve a new app configured for this tenant; return the app's URL."""
        self.server.app = create_app(
            {
                "AUTH0_DOMAIN": tenant.domain,
                "AUTH0_CLIENT_ID": CLIENT_ID,
                "AUTH0_CLIENT_SECRET": CLIENT_SECRET,
                "APP_SECRET_KEY": "test-secret-key",
            }
        )
        return self.url

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def app_server():
    """Bind your app's port first: the tenant's config needs its callback URL."""
    server = AppServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def passwordless_tenant_config(app_server):
    """Register your app with the tenant, as you would in Auth0's dashboard."""
    return tenant_config(
        clients=[
            {
                "name": "Your App",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "app_type": "regular_web",
                # Authlib's default way of sending the secret.
                "token_endpoint_auth_method": "client_secret_basic",
                # The Passwordless OTP grant: on a Classic login page, Lock calls
                # /passwordless/start as your app, which needs it (Advanced Settings >
                # Grant Types in Auth0's dashboard).
                "grant_types": [
                    "authorization_code",
                    "refresh_token",
                    "http://auth0.com/oauth/grant-type/passwordless/otp",
                ],
                "callbacks": [app_server.url + "/callback"],
                "allowed_logout_urls": [app_server.url + "/"],
            },
            {
                "name": "Your Back Office",
                "client_id": BACK_OFFICE_ID,
                "client_secret": BACK_OFFICE_SECRET,
                "app_type": "non_interactive",
                "token_endpoint_auth_method": "client_secret_post",
                "grant_types": ["client_credentials"],
            },
        ],
        # What the back office may do with users, as you would authorize it in the dashboard
        # (Applications > APIs > Auth0 Management API > Machine to Machine Applications).
        client_grants=[
            {
                "client_id": BACK_OFFICE_ID,
                "audience": "https://{domain}/api/v2/",
                "scope": ["read:users", "create:users"],
            }
        ],
        users=[{"email": "ada@example.com"}, {"phone_number": "+15555550100"}],
    )


@pytest.fixture
def app_url(app_server, passwordless_tenant, monkeypatch) -> str:
    """Return the URL of your app, talking to this test's tenant."""
    if passwordless_tenant.ca_bundle:
        # An HTTPS tenant (the Classic login page needs one) has a certificate from a local
        # CA: your app's requests (Authlib) trust it through requests' usual variable.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", passwordless_tenant.ca_bundle)
    return app_server.point_at(passwordless_tenant)


@pytest.fixture
def management_token(passwordless_tenant) -> str:
    """Return a Management API token for your back office (the client credentials grant)."""
    return passwordless_tenant.management_token(BACK_OFFICE_ID, BACK_OFFICE_SECRET)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Let the browser accept an HTTPS tenant's certificate, made by a CA it does not know."""
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use the Chromium named by CHROMIUM_PATH when there is one (CI images often have one)."""
    path = os.environ.get("CHROMIUM_PATH")
    if path and Path(path).exists():
        # --no-sandbox: CI often runs as root, where Chromium's sandbox cannot start.
        return {**browser_type_launch_args, "executable_path": path, "args": ["--no-sandbox"]}
    return browser_type_launch_args
