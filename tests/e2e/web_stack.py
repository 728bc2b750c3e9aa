"""Fixtures for the regular web app end to end: tenant, sample API and web app on free ports.

The web app is reached at `http://localhost:<port>` and the tenant at `http://127.0.0.1:<port>`:
two host names, so the browser keeps their cookies apart as it would for an app and its Auth0
tenant. The tenant only accepts callbacks it has registered, so each web app server binds its
port first (`LateApp`), then a tenant starts from a copy of `mock_tenant/tenant.toml` in which
the web app's `http://localhost:3000` is replaced by the test servers' origins: one web app
set up as `make run-web` runs it, and one asking for an API (audience) the tenant does not
know, which the tenant refuses with `error=access_denied`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import regular_web_app
from mock_tenant.config import DEFAULT_CONFIG_FILE
from tests.constants import API_AUDIENCE, WEB_CLIENT, WEB_SECRET
from tests.e2e.spa_stack import LateApp
from tests.servers import (
    LiveServer,
    TenantServer,
    replace_once,
    serve,
    serve_sample_api,
    serve_tenant,
)

# The web client's registered origin in the bundled tenant file, replaced for the tests.
REGISTERED_ORIGIN = "http://localhost:3000"
# An API identifier that no resource server in the tenant has.
UNKNOWN_AUDIENCE = "urn:passwordless-demo:no-such-api"
# Playwright waits this long (ms) for anything: everything here is local and fast.
TIMEOUT_MS = 10_000


@dataclass
class WebStack:
    """The servers of the regular web app flow, as a test sees them."""

    tenant: TenantServer
    api: LiveServer
    # The web app as `make run-web` configures it.
    web: LiveServer
    # The same app asking for an audience the tenant does not know.
    web_unknown_audience: LiveServer


def registrations(origins: list[str]) -> dict[str, str]:
    """Return the tenant.toml lists that name the web client's origin, and their test values."""
    callbacks = ", ".join(f'"{origin}/callback"' for origin in origins)
    logout_urls = ", ".join(f'"{origin}/"' for origin in origins)
    return {
        f'["{REGISTERED_ORIGIN}/callback"]': f"[{callbacks}]",
        f'["{REGISTERED_ORIGIN}/"]': f"[{logout_urls}]",
    }


def tenant_config_for(config_dir: Path, origins: list[str]) -> Path:
    """Write a copy of the bundled tenant.toml that registers `origins` for the web client."""
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    replaced = replace_once(text, registrations(origins))
    assert replaced.count(origins[0]) == 2, (
        "tenant.toml no longer registers the web app as expected"
    )
    path = config_dir / "tenant.toml"
    path.write_text(replaced, encoding="utf-8")
    return path


def web_app_settings(tenant: TenantServer, api: LiveServer, sessions: Path, **extra) -> dict:
    """Return the web app's settings, every quickstart name given so the shell's do not leak in."""
    return {
        "AUTH0_DOMAIN": tenant.base_url,
        "AUTH0_CLIENT_ID": WEB_CLIENT,
        "AUTH0_CLIENT_SECRET": WEB_SECRET,
        "AUTH0_AUDIENCE": API_AUDIENCE,
        "APP_SECRET_KEY": "",
        "API_URL": api.base_url,
        "SESSION_DIR": str(sessions),
        **extra,
    }


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory) -> Iterator[WebStack]:
    """Run the tenant, the sample API and two web app servers for the whole session."""
    with ExitStack() as stack:
        # 1. Bind the web app servers on http://localhost:<free port>: their origins are known.
        web = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        web_unknown = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        # 2. Start a tenant that registers both origins' callbacks and logout URLs.
        config_dir = tmp_path_factory.mktemp("web-tenant")
        config_file = tenant_config_for(config_dir, [web.base_url, web_unknown.base_url])
        tenant = stack.enter_context(serve_tenant(config_dir / "data", config_file))
        # 3. Start the API, trusting that tenant.
        api = stack.enter_context(serve_sample_api(tenant))
        # 4. Now build the web apps, pointing at the tenant and the API.
        web.app.app = regular_web_app.create_app(
            web_app_settings(tenant, api, config_dir / "sessions")
        )
        web_unknown.app.app = regular_web_app.create_app(
            web_app_settings(
                tenant, api, config_dir / "sessions-unknown", AUTH0_AUDIENCE=UNKNOWN_AUDIENCE
            )
        )
        yield WebStack(tenant, api, web, web_unknown)


@pytest.fixture
def web(web_stack) -> WebStack:
    """Give a test the web stack with a tenant that has forgotten earlier tests (and its clock)."""
    web_stack.tenant.reset()
    return web_stack


@pytest.fixture
def web_page(page: Page) -> Page:
    """Return Playwright's page with short timeouts: a local app answers at once or not at all."""
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page
