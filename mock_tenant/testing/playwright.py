"""Complete the tenant's Universal Login in a Playwright page, as a person would.

For pytest-playwright tests of your own app: the app sends the browser to the tenant, then

    log_in(page, passwordless_tenant, "ada@example.com")

types the address, reads the code from the tenant's outbox, types it, accepts the consent
page if the tenant shows one, and returns once the browser has left the tenant. The steps
are also there one by one (`submit_identifier`, `enter_code`, `accept_consent`) for tests of
what goes wrong in between, such as an expired code.

Playwright's sync API is used through the page you pass; this module imports nothing from
it, so the tenant package does not depend on Playwright.
"""

from __future__ import annotations

from .handle import LocalTenant

# Milliseconds to wait for each page, Playwright's unit.
TIMEOUT_MS = 10_000


class NewExperience:
    """The New Universal Login pages (mock_tenant/templates/u_*.html), found by their ids.

    Ids rather than words: the pages speak the browser's language (en, fr, ...).
    """

    name = "new"

    @staticmethod
    def shows(url: str, tenant: LocalTenant) -> bool:
        """Tell whether a URL is one of this experience's pages."""
        return url.startswith(tenant.url("/u/"))

    def submit_identifier(self, page, address: str, send: str = "code") -> None:
        """Type the email address or phone number and ask for a code (or a link)."""
        page.locator("#username").fill(address)
        page.locator(f'button[name="send"][value="{send}"]').click()
        if send == "code":
            page.locator("#code").wait_for(timeout=TIMEOUT_MS)

    def enter_code(self, page, code: str) -> None:
        """Type a one-time code on the challenge page and continue."""
        page.locator("#code").fill(code)
        # The answer redirects (to the app, the consent page, or this page with an error):
        # wait for wherever it ends.
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.locator("form:has(#code) button[type=submit]").click()

    def error_shown(self, page) -> str | None:
        """Return the error the page shows (a wrong or expired code), if any."""
        alert = page.locator("#error")
        return alert.inner_text() if alert.count() else None

    def consent_shown(self, page, tenant: LocalTenant) -> bool:
        """Tell whether the browser is on the consent page."""
        return page.url.startswith(tenant.url("/u/consent"))

    def accept_consent(self, page) -> None:
        """Press Accept on the consent page."""
        page.locator('button[name="action"][value="accept"]').click()


# The experiences the helper knows, tried in order. The Classic experience (Lock, or a
# Custom UI page with auth0.js) joins here as a class with the same methods.
EXPERIENCES = [NewExperience()]


def experience_of(page, tenant: LocalTenant):
    """Return the login experience the page shows, or fail the test naming the URL."""
    page.wait_for_url(lambda url: url.startswith(tenant.base_url), timeout=TIMEOUT_MS)
    for experience in EXPERIENCES:
        if experience.shows(page.url, tenant):
            return experience
    raise AssertionError(f"{page.url} is no Universal Login page this helper knows")


def submit_identifier(page, tenant: LocalTenant, address: str, send: str = "code") -> None:
    """On the tenant's login page, type the address and ask for a code (or a link)."""
    experience_of(page, tenant).submit_identifier(page, address, send)


def enter_code(page, tenant: LocalTenant, code: str) -> None:
    """On the tenant's code page, type a code and continue."""
    experience_of(page, tenant).enter_code(page, code)


def accept_consent(page, tenant: LocalTenant) -> None:
    """On the tenant's consent page, press Accept."""
    experience_of(page, tenant).accept_consent(page)


def log_in(page, tenant: LocalTenant, address: str, *, consent: bool = True) -> None:
    """Complete Universal Login for an address and wait until the browser leaves the tenant.

    Args:
        page: a Playwright (sync API) page showing the tenant's login page, or on its way
            there (just after the app's "Log in" link was clicked).
        tenant: the tenant (the `passwordless_tenant` fixture).
        address: the email address or phone number to log in with.
        consent: accept the consent page if the tenant shows one (else leave it shown).

    """
    experience = experience_of(page, tenant)
    experience.submit_identifier(page, address)
    experience.enter_code(page, tenant.last_code(address))
    # Still on the tenant and not asking for consent: the code page again, with an error.
    if page.url.startswith(tenant.base_url) and not experience.consent_shown(page, tenant):
        raise AssertionError(f"the tenant did not accept the code: {experience.error_shown(page)}")
    if experience.consent_shown(page, tenant):
        if not consent:
            return
        experience.accept_consent(page)
    page.wait_for_url(lambda url: not url.startswith(tenant.base_url), timeout=TIMEOUT_MS)
