"""express-openid-connect with its defaults (an ID token by form_post) logs in and out.

Auth0's Express SDK asks /authorize for `response_type=id_token` and
`response_mode=form_post` unless told otherwise; the tenant answers it as Auth0 does
(fidelity table, row 10). The app is `tests/e2e/express_app/server.js`.
https://github.com/auth0/express-openid-connect/blob/master/EXAMPLES.md
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from mock_tenant.config import DEFAULT_CONFIG_FILE
from tests.servers import free_port, serve_tenant

pytestmark = pytest.mark.e2e

APP_DIR = Path(__file__).with_name("express_app")
CLIENT_ID = "express-default-app"
TIMEOUT_MS = 10_000


def express_client(base_url: str) -> str:
    """Return the tenant.toml entry of the Express app: Auth0's `implicit` grant, no secret."""
    return f"""
[[clients]]
name = "Express App"
client_id = "{CLIENT_ID}"
app_type = "regular_web"
token_endpoint_auth_method = "none"
grant_types = ["implicit"]
callbacks = ["{base_url}/callback"]
allowed_logout_urls = ["{base_url}/"]
"""


@pytest.fixture(scope="module")
def express_app(tmp_path_factory):
    """Run a tenant that knows the Express app, and the app itself (npm ci on first use)."""
    if not (APP_DIR / "node_modules" / ".package-lock.json").exists():
        # npm from PATH, installing exactly what our lock file pins.
        command = ["npm", "ci", "--no-audit", "--no-fund"]
        subprocess.run(command, cwd=APP_DIR, check=True)  # noqa: S603
    port = free_port()
    base_url = f"http://localhost:{port}"
    tmp = tmp_path_factory.mktemp("express")
    config = tmp / "tenant.toml"
    config.write_text(
        DEFAULT_CONFIG_FILE.read_text(encoding="utf-8") + express_client(base_url),
        encoding="utf-8",
    )
    with serve_tenant(tmp / "data", config) as tenant:
        env = {
            **os.environ,
            "ISSUER_BASE_URL": tenant.base_url,
            "BASE_URL": base_url,
            "CLIENT_ID": CLIENT_ID,
            "SECRET": "a-long-random-secret-for-the-express-session-cookie",
            "PORT": str(port),
        }
        app = subprocess.Popen(  # noqa: S603
            ["node", "server.js"],  # noqa: S607 (node from PATH)
            cwd=APP_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for(base_url, app)
            yield tenant, base_url
        finally:
            app.terminate()
            app.wait(timeout=10)
            app.stdout.close()


def _wait_for(base_url: str, app: subprocess.Popen) -> None:
    """Wait until the Express app answers (it reads the tenant's discovery document first)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"the Express app exited:\n{app.stdout.read()}")
        try:
            requests.get(base_url + "/", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the Express app did not start")


def test_express_openid_connect_with_its_defaults_logs_in_and_out(page: Page, express_app):
    tenant, base_url = express_app
    page.set_default_timeout(TIMEOUT_MS)
    # The learner opens the Express app and presses "Log in".
    page.goto(base_url + "/")
    page.get_by_role("link", name="Log in").click()
    # The SDK asked for an ID token by form_post, as its defaults say.
    expect(page).to_have_url(re.compile(r"/u/login/identifier\?"))
    # On Universal Login they type their address, then the code from the outbox.
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(tenant.last_code("ada@example.com"))
    page.get_by_role("button", name="Continue").click()
    # The tenant posts the ID token to the app's /callback; the app greets Ada.
    expect(page.get_by_role("heading", name="Logged in as ada@example.com")).to_be_visible()
    # They press "Log out": the app forgets them.
    page.get_by_role("link", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
