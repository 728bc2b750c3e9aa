"""Your app's login through the Classic Universal Login page: Auth0's Lock, in the browser.

Choose the Classic experience for one test with the marker; the tenant then serves HTTPS
(Lock reaches a hosted page's tenant over https only), and conftest.py: app_url makes your
app trust the tenant's local CA.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mock_tenant.testing.playwright import log_in

CLASSIC_LOCK = {"universal_login_experience": "classic", "custom_login_page": "lock-passwordless"}


@pytest.mark.passwordless_tenant(prompts=CLASSIC_LOCK)
def test_a_person_logs_in_through_the_classic_lock_page(page: Page, app_url, passwordless_tenant):
    assert passwordless_tenant.issuer.startswith("https://")
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    # Lock's widget, not the New pages: the helper knows from the tenant's config.
    expect(page.locator(".auth0-lock")).to_be_visible()
    log_in(page, passwordless_tenant, "ada@example.com")
    expect(page.get_by_role("heading", name="Hello, ada@example.com")).to_be_visible()
