"""Fixtures for the single-page app end to end: tenant, sample API and SPA on free loopback ports.

The tenant must know the SPA's origin (Allowed Callback URLs, Logout URLs, Web Origins)
before it starts, and the SPA must know the tenant's URL: so each SPA server binds its port
first, with its app filled in once the tenant is up (`LateApp`). The tenant runs from a copy
of `mock_tenant/tenant.toml` in which the SPA client's `http://localhost:3001` is replaced by
the test servers' origins: one SPA with the default in-memory token cache and one with the
`CACHE_LOCATION=localstorage` switch on.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import single_page_app
from mock_tenant.config import DEFAULT_CONFIG_FILE
from single_page_app.views import SDK_DIST, VENDOR_FILES
from tests.constants import API_AUDIENCE, SPA_CLIENT
from tests.servers import (
    LiveServer,
    TenantServer,
    replace_once,
    serve,
    serve_sample_api,
    serve_tenant,
)

SPA_DIR = Path(single_page_app.__file__).parent
# The SPA client's registered origin in the bundled tenant file, replaced for the tests.
REGISTERED_ORIGIN = "http://localhost:3001"
# Playwright waits this long (ms) for anything: everything here is local and fast.
TIMEOUT_MS = 10_000


class LateApp:
    """A WSGI app whose real app is set after its server has a port (and so an origin).

    A test may also put its own HTML pages on the origin (`test_pages`): a page served by
    Playwright's `route.fulfill` has no IP address, so Chromium counts it as the public
    internet and blocks its requests to loopback (Local Network Access); this one is real.
    """

    def __init__(self):
        self.app = None
        self.test_pages: dict[str, str] = {}

    def __call__(self, environ, start_response):
        """Serve a test page at its path, or hand the request to the real app."""
        page = self.test_pages.get(environ["PATH_INFO"])
        if page is None and self.app is not None:
            return self.app(environ, start_response)
        status = "200 OK" if page is not None else "404 Not Found"
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [(page or "").encode()]


@dataclass
class SpaStack:
    """The three servers of the SPA flow, as a test sees them."""

    tenant: TenantServer
    api: LiveServer
    # The SPA with the default in-memory cache, and with CACHE_LOCATION=localstorage.
    spa: LiveServer
    spa_localstorage: LiveServer
    # An origin that nothing registers, serving only test pages (a stranger's site).
    stranger: LiveServer

    def servers(self) -> list[LiveServer]:
        """Return the servers whose test pages a test may set."""
        return [self.spa, self.spa_localstorage, self.stranger]


def install_sdk() -> None:
    """Run `npm ci` in single_page_app/ when auth0-spa-js is missing (as make run-spa does)."""
    if all((SDK_DIST / name).is_file() for name in VENDOR_FILES):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install auth0-spa-js (single_page_app/package-lock.json)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=SPA_DIR, check=True)  # noqa: S603


def registrations(origins: list[str]) -> dict[str, str]:
    """Return the tenant.toml lists that name the SPA client's origin, and their test values."""
    callbacks = ", ".join(f'"{origin}/"' for origin in origins)
    web_origins = ", ".join(f'"{origin}"' for origin in origins)
    # callbacks and allowed_logout_urls name the origin with a slash, web_origins without.
    return {
        f'["{REGISTERED_ORIGIN}/"]': f"[{callbacks}]",
        f'["{REGISTERED_ORIGIN}"]': f"[{web_origins}]",
    }


def tenant_config_for(config_dir: Path, origins: list[str]) -> Path:
    """Write a copy of the bundled tenant.toml that registers `origins` for the SPA client."""
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    replaced = replace_once(text, registrations(origins))
    assert replaced.count(origins[0]) == 3, "tenant.toml no longer registers the SPA as expected"
    path = config_dir / "tenant.toml"
    path.write_text(replaced, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def spa_stack(tmp_path_factory) -> Iterator[SpaStack]:
    """Run the tenant, the sample API and two SPA servers for the whole session."""
    install_sdk()
    with ExitStack() as stack:
        # 1. Bind the SPA servers on http://localhost:<free port>: their origins are now known.
        spa = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        spa_ls = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        stranger = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        # 2. Start a tenant that registers both origins for the SPA client.
        config_dir = tmp_path_factory.mktemp("spa-tenant")
        config_file = tenant_config_for(config_dir, [spa.base_url, spa_ls.base_url])
        tenant = stack.enter_context(serve_tenant(config_dir / "data", config_file))
        # 3. Start the API, trusting that tenant and accepting calls from both origins.
        api = stack.enter_context(serve_sample_api(tenant, [spa.base_url, spa_ls.base_url]))
        # 4. Now build the SPA apps, pointing at the tenant and the API.
        for live, cache_location in ((spa, "memory"), (spa_ls, "localstorage")):
            live.app.app = single_page_app.create_app(
                {
                    "AUTH0_DOMAIN": tenant.base_url,
                    "AUTH0_CLIENT_ID": SPA_CLIENT,
                    "AUTH0_AUDIENCE": API_AUDIENCE,
                    "API_URL": api.base_url,
                    "CACHE_LOCATION": cache_location,
                }
            )
        yield SpaStack(tenant, api, spa, spa_ls, stranger)


@pytest.fixture
def stack(spa_stack) -> SpaStack:
    """Give a test the SPA stack with a tenant that has forgotten earlier tests."""
    spa_stack.tenant.reset()
    for server in spa_stack.servers():
        server.app.test_pages.clear()
    return spa_stack


@pytest.fixture
def spa_page(page: Page) -> Page:
    """Return Playwright's page with short timeouts: a local app answers at once or not at all."""
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page
