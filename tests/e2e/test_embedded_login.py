"""The embedded login example end to end: auth0.js on another origin logs in with an email code.

Chromium on the example's origin (http://localhost:<port>) calls the tenant
(http://127.0.0.1:<port>) with auth0.js: /passwordless/start, /co/authenticate, then
/authorize with the login ticket; the page shows the user from the ID token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

import examples.embedded_login
from mock_tenant.config import DEFAULT_CONFIG_FILE
from tests.constants import EMBEDDED_ORIGIN
from tests.e2e.spa_stack import TIMEOUT_MS, LateApp
from tests.servers import LiveServer, TenantServer, replace_once, serve, serve_tenant

pytestmark = pytest.mark.e2e


@dataclass
class EmbeddedStack:
    """The tenant and the example's server, as a test sees them."""

    tenant: TenantServer
    example: LiveServer


@pytest.fixture(scope="module")
def embedded_stack(tmp_path_factory) -> Iterator[EmbeddedStack]:
    """Run the example on a free localhost port and a tenant that registers that origin."""
    with ExitStack() as stack:
        example = stack.enter_context(serve(lambda url: LateApp(), host="localhost"))
        config_dir = tmp_path_factory.mktemp("embedded-tenant")
        text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
        # Callbacks, logout URLs, Allowed Origins and cross_origin_loc name the origin.
        replaced = replace_once(text, {EMBEDDED_ORIGIN: example.base_url})
        assert replaced.count(example.base_url) == 4, "tenant.toml no longer registers the example"
        (config_dir / "tenant.toml").write_text(replaced, encoding="utf-8")
        tenant = stack.enter_context(serve_tenant(config_dir / "data", config_dir / "tenant.toml"))
        # The page calls the tenant as localhost (same site, as with an Auth0 custom domain).
        example.app.app = examples.embedded_login.create_app(
            {
                "AUTH0_DOMAIN": tenant.base_url.replace("127.0.0.1", "localhost"),
                "AUTH0_ISSUER": tenant.base_url + "/",
            }
        )
        yield EmbeddedStack(tenant, example)


def test_embedded_email_code_login_shows_the_user(page: Page, embedded_stack):
    page.set_default_timeout(TIMEOUT_MS)
    email = "embedded@example.com"
    # The learner opens the example: it says plainly that Auth0 does not recommend it.
    page.goto(embedded_stack.example.url("/"))
    expect(page.locator("#not-recommended")).to_contain_text("Not the approach Auth0 recommends")
    # They type their address and ask for a code (auth0.js passwordlessStart, cross-origin).
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_label("Code sent to")).to_be_visible()
    # They read the code in the dev outbox and type it (auth0.js passwordlessLogin).
    page.get_by_label("Code sent to").fill(embedded_stack.tenant.last_code(email))
    page.get_by_role("button", name="Log in").click()
    # The tenant sends them back with tokens; the page shows who they are.
    expect(page.locator("#user-email")).to_have_text(email, timeout=TIMEOUT_MS)
    expect(page.locator("#error")).to_be_hidden()


# The whole browser: the headless shell would let the third-party cookie through.
def test_from_another_site_the_fallback_finds_no_verifier(
    whole_chromium_page: Page, embedded_stack
):
    page = whole_chromium_page
    page.set_default_timeout(TIMEOUT_MS)
    email = "other-site@example.com"
    # The same page, calling the tenant by the name of another site (127.0.0.1): the cookie
    # /co/authenticate sets is a third-party cookie, and Chromium blocks those.
    embedded_stack.example.app.app = examples.embedded_login.create_app(
        {
            "AUTH0_DOMAIN": embedded_stack.tenant.base_url,
            "AUTH0_ISSUER": embedded_stack.tenant.base_url + "/",
        }
    )
    page.goto(embedded_stack.example.url("/"))
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send code").click()
    # The code field shows once the tenant has answered, so the code is in the outbox by then.
    expect(page.get_by_label("Code sent to")).to_be_visible()
    page.get_by_label("Code sent to").fill(embedded_stack.tenant.last_code(email))
    page.get_by_role("button", name="Log in").click()
    # /authorize finds no verifier cookie and asks the app's cross_origin_loc page in an
    # iframe (/co/verify); in that iframe the app's own storage is a third party's too, so
    # auth0.js has no verifier to give, and the app gets Auth0's error back.
    expect(page.locator("#error")).to_have_text("access_denied: No verifier returned from client.")
    expect(page.locator("#profile")).to_be_hidden()
