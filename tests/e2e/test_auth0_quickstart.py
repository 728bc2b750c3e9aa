"""Auth0's own Flask quickstart logs in and out against the tenant over HTTPS, unchanged.

The sample (`tests/e2e/vendor/auth0-python-web-app/01-Login`, see its README) builds
`https://{AUTH0_DOMAIN}/...` URLs, so it needs a tenant that speaks HTTPS: the tenant runs with
`tls=True` (what `--tls` does) and the sample gets only what its README asks for, a `.env`,
plus `REQUESTS_CA_BUNDLE` so that Python trusts the tenant's local CA.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.constants import WEB_CLIENT, WEB_SECRET
from tests.e2e.pages import CodePage, TenantLoginPage
from tests.e2e.web_stack import tenant_config_for
from tests.servers import TenantServer, free_port, serve_tenant

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).parent / "vendor" / "auth0-python-web-app" / "01-Login"


@dataclass
class Quickstart:
    """The running sample and the HTTPS tenant it logs in with."""

    tenant: TenantServer
    base_url: str


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Let Chromium accept the tenant's certificate (a person trusts the CA, or clicks on)."""
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory) -> Iterator[Quickstart]:
    """Run an HTTPS tenant that registers the sample, then the sample as its README says."""
    port = free_port()
    base_url = f"http://localhost:{port}"
    folder = tmp_path_factory.mktemp("quickstart")
    config_file = tenant_config_for(folder, [base_url])
    with serve_tenant(folder / "data", config_file, workers=1, tls=True) as tenant:
        app_dir = folder / "01-Login"
        shutil.copytree(SAMPLE, app_dir)
        domain = tenant.base_url.removeprefix("https://")
        # The sample's .env.example, filled in (README: "rename .env.example to .env").
        (app_dir / ".env").write_text(
            f"AUTH0_CLIENT_ID={WEB_CLIENT}\n"
            f"AUTH0_CLIENT_SECRET={WEB_SECRET}\n"
            f"AUTH0_DOMAIN={domain}\n"
            "APP_SECRET_KEY=ALongRandomlyGeneratedString\n"
            f"PORT={port}\n",
            encoding="utf-8",
        )
        # None of the suite's own AUTH0_* settings may leak in: the .env is all it gets.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH0_", "MOCK_"))}
        env.pop("PORT", None)
        env.update(REQUESTS_CA_BUNDLE=tenant.ca_bundle, PYTHONUNBUFFERED="1")
        process = subprocess.Popen(  # noqa: S603 (this Python, the vendored sample)
            [sys.executable, "server.py"],
            cwd=app_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(base_url + "/", process)
            yield Quickstart(tenant, base_url)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 20) -> None:
    """Wait until the sample answers, or fail if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the quickstart exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the quickstart did not start")


def test_auth0_quickstart_logs_in_shows_the_user_and_logs_out_over_https(
    page: Page, quickstart: Quickstart
):
    email = "quickstart@example.com"
    page.set_default_timeout(10_000)
    # The sample's home page, signed out.
    page.goto(quickstart.base_url + "/")
    expect(page.get_by_role("heading", name="Welcome Guest")).to_be_visible()
    # "Login" goes to the tenant's Universal Login, over HTTPS.
    page.get_by_role("link", name="Login").click()
    expect(page).to_have_url(re.compile("^" + re.escape(quickstart.tenant.base_url + "/u/")))
    assert quickstart.tenant.base_url.startswith("https://")
    TenantLoginPage(page).enter_identifier("Email address", email)
    # The code from the tenant's dev outbox, typed on the code page.
    CodePage(page).enter_code(quickstart.tenant.last_code(email))
    # Back on the sample: it greets the user by the name in the ID token's claims.
    expect(page).to_have_url(quickstart.base_url + "/")
    expect(page.get_by_role("heading", name=f"Welcome {email}!")).to_be_visible()
    expect(page.locator("pre")).to_contain_text(f'"iss": "{quickstart.tenant.base_url}/"')
    # "Logout" clears the sample's session and the tenant's, and comes back signed out.
    page.get_by_role("link", name="Logout").click()
    expect(page).to_have_url(quickstart.base_url + "/")
    expect(page.get_by_role("heading", name="Welcome Guest")).to_be_visible()
    # The tenant's session is gone too: logging in again asks who you are.
    page.get_by_role("link", name="Login").click()
    expect(TenantLoginPage(page).heading).to_be_visible()
