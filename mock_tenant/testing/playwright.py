"""Complete the tenant's Universal Login in a Playwright page, as a person would.

For pytest-playwright tests of your own app: the app sends the browser to the tenant, then

    log_in(page, passwordless_tenant, "ada@example.com")

types the address, reads the code from the tenant's outbox, types it, accepts the consent
page if the tenant shows one, and returns once the browser has left the tenant. The steps
are also there one by one (`submit_identifier`, `enter_code`, `accept_consent`) for tests of
what goes wrong in between, such as an expired code.

It knows the New experience and the Classic one's two templates, Lock (passwordless) and
Custom UI (classic_pages.py); it takes the one the tenant's config chose, or the one named.

Playwright's sync API is used through the page you pass; this module imports nothing from
it, so the tenant package does not depend on Playwright.
"""

from __future__ import annotations

from .classic_pages import TIMEOUT_MS, ClassicCustomUi, ClassicLock, on_classic_page
from .handle import LocalTenant

__all__ = ["TIMEOUT_MS", "accept_consent", "enter_code", "error_shown", "log_in"]


class NewExperience:
    """The New Universal Login pages (mock_tenant/templates/u_*.html), found by their ids.

    Ids rather than words: the pages speak the browser's language (en, fr, ...).
    """

    name = "new"

    def shows(self, page, tenant: LocalTenant) -> bool:
        """Tell whether the page is one of this experience's pages."""
        return page.url.startswith(tenant.url("/u/"))

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


# The consent page is the same for both experiences: Classic logins end on /u/consent too
# (mock_tenant/login/pages.py: consent).
def consent_shown(page, tenant: LocalTenant) -> bool:
    """Tell whether the browser is on the consent page."""
    return page.url.startswith(tenant.url("/u/consent"))


def accept_consent_page(page) -> None:
    """Press Accept on the consent page."""
    page.locator('button[name="action"][value="accept"]').click()


# The experiences the helper knows, by the names `LocalTenant.experience` and `log_in` use.
EXPERIENCES = {e.name: e for e in (NewExperience(), ClassicLock(), ClassicCustomUi())}


def experience_of(page, tenant: LocalTenant, name: str | None = None):
    """Return the login experience named, the tenant's, or the one the page shows.

    A tenant the plugin started knows its experience from its config; for a Classic page
    of your own template (or a tenant started elsewhere) the page tells: Lock's widget or
    the Custom UI form.
    """
    page.wait_for_url(lambda url: url.startswith(tenant.base_url), timeout=TIMEOUT_MS)
    name = name or tenant.experience
    if name is not None:
        if name not in EXPERIENCES:
            raise ValueError(f"unknown login experience {name!r}; known: {sorted(EXPERIENCES)}")
        return EXPERIENCES[name]
    if EXPERIENCES["new"].shows(page, tenant):
        return EXPERIENCES["new"]
    # A Classic page draws its form with a script: wait until one of them is there.
    lock, custom = EXPERIENCES["classic-lock"], EXPERIENCES["classic-custom-ui"]
    if on_classic_page(page, tenant):
        drawn = page.locator(lock.ROOT).or_(page.locator(custom.FIELD)).first
        drawn.wait_for(timeout=TIMEOUT_MS)
    for experience in (lock, custom):
        if experience.shows(page, tenant):
            return experience
    raise AssertionError(f"{page.url} is no Universal Login page this helper knows")


def submit_identifier(
    page, tenant: LocalTenant, address: str, send: str = "code", *, experience: str | None = None
) -> None:
    """On the tenant's login page, type the address and ask for a code (or a link)."""
    experience_of(page, tenant, experience).submit_identifier(page, address, send)


def enter_code(page, tenant: LocalTenant, code: str, *, experience: str | None = None) -> None:
    """On the tenant's code page (or form), type a code and wait for the tenant's answer."""
    experience_of(page, tenant, experience).enter_code(page, code)


def error_shown(page, tenant: LocalTenant, *, experience: str | None = None) -> str | None:
    """Return the error the login page shows (a wrong or expired code), if any."""
    return experience_of(page, tenant, experience).error_shown(page)


def accept_consent(page, tenant: LocalTenant) -> None:
    """On the tenant's consent page, press Accept."""
    page.wait_for_url(lambda url: consent_shown(page, tenant), timeout=TIMEOUT_MS)
    accept_consent_page(page)


def log_in(
    page,
    tenant: LocalTenant,
    address: str,
    *,
    consent: bool = True,
    experience: str | None = None,
) -> None:
    """Complete Universal Login for an address and wait until the browser leaves the tenant.

    Args:
        page: a Playwright (sync API) page showing the tenant's login page, or on its way
            there (just after the app's "Log in" link was clicked).
        tenant: the tenant (the `passwordless_tenant` fixture).
        address: the email address or phone number to log in with.
        consent: accept the consent page if the tenant shows one (else leave it shown).
        experience: "new", "classic-lock" or "classic-custom-ui"; by default the one the
            tenant's config chose, or (not known) the one the page shows.

    """
    shown = experience_of(page, tenant, experience)
    shown.submit_identifier(page, address)
    shown.enter_code(page, tenant.last_code(address))
    # Still on the tenant and not asking for consent: the code page again, with an error.
    if page.url.startswith(tenant.base_url) and not consent_shown(page, tenant):
        raise AssertionError(f"the tenant did not accept the code: {shown.error_shown(page)}")
    if consent_shown(page, tenant):
        if not consent:
            return
        accept_consent_page(page)
    page.wait_for_url(lambda url: not url.startswith(tenant.base_url), timeout=TIMEOUT_MS)
