"""The Classic Universal Login pages in a Playwright page: Lock (passwordless) and Custom UI.

With `[prompts] universal_login_experience = "classic"` /authorize shows `/login`, a page
made from a template that runs Auth0's Lock or auth0.js in the browser
(docs/11-classic-universal-login.md). Those libraries call the tenant without leaving the
page, so a step is done when the browser leaves `/login` or the page shows an error, not
when a form posts. Inputs are found by their names and ids, which stay the same in every
language, as on the New pages.
https://auth0.com/docs/customize/login-pages/classic-login
"""

from __future__ import annotations

import time
import urllib.parse

from .handle import LocalTenant

# Milliseconds to wait for each page, Playwright's unit.
TIMEOUT_MS = 10_000
# The tenant's paths a Classic login passes through before it answers the app or asks for
# consent (mock_tenant/login/classic.py).
CLASSIC_PATHS = ("/login", "/passwordless/verify", "/passwordless/verify_redirect")


def on_classic_page(page, tenant: LocalTenant) -> bool:
    """Tell whether the browser is on the tenant's Classic `/login` page."""
    return page.url.startswith(tenant.url("/login"))


def wait_for_answer(page, error, started_on: str) -> None:
    """Wait until the browser leaves the Classic page (for the app or consent) or shows `error`.

    auth0.js posts `/passwordless/verify` from the page and then sends the browser through
    `/passwordless/verify_redirect`; a refused code never navigates, it only shows the error.
    """
    start = urllib.parse.urlsplit(started_on)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        now = urllib.parse.urlsplit(page.url)
        if (now.scheme, now.netloc) != (start.scheme, start.netloc) or (
            now.path not in CLASSIC_PATHS
        ):
            page.wait_for_load_state()
            return
        if error.is_visible():
            return
        # Lets Playwright deliver the page's events (navigations) meanwhile.
        page.wait_for_timeout(50)
    raise AssertionError(f"the login page neither moved on nor showed an error: {page.url}")


class ClassicLock:
    """Auth0's Lock in passwordless mode, the "Lock (passwordless)" template.

    Lock draws one connection: email (`input[name=email]`) or sms (a country list and
    `input[name=phoneNumber]`), as the app's `connection` parameter or the tenant's
    connections decide; then `input[name=vcode]` for the code. What it sends by email, a
    code or a link, is the template's `passwordlessMethod`.
    https://auth0.com/docs/libraries/lock/lock-configuration
    """

    name = "classic-lock"
    ROOT = ".auth0-lock"
    SUBMIT = "button.auth0-lock-submit"
    ERROR = ".auth0-global-message-error"

    def shows(self, page, tenant: LocalTenant) -> bool:
        """Tell whether the page is a Classic page running Lock."""
        return on_classic_page(page, tenant) and page.locator(self.ROOT).count() > 0

    def submit_identifier(self, page, address: str, send: str = "code") -> None:
        """Type the email address or phone number into Lock and submit it.

        `send` says what to wait for: the code input ("code"), or Lock's confirmation that
        a link went out ("link", when the template sets `passwordlessMethod: 'link'`).
        """
        email = page.locator(f"{self.ROOT} input[name=email]")
        phone = page.locator(f"{self.ROOT} input[name=phoneNumber]")
        email.or_(phone).first.wait_for(timeout=TIMEOUT_MS)
        if address.startswith("+"):
            if not phone.count():
                raise AssertionError(
                    "Lock shows the email connection, not sms: log in with an email address, "
                    "or have the app ask for connection=sms"
                )
            phone.fill(self._choose_country(page, address))
        else:
            if not email.count():
                raise AssertionError(
                    "Lock shows the sms connection, not email: log in with a phone number, "
                    "or have the app ask for connection=email"
                )
            email.fill(address)
        page.locator(self.SUBMIT).click()
        if send == "code":
            page.locator(f"{self.ROOT} input[name=vcode]").wait_for(timeout=TIMEOUT_MS)
        else:
            # Lock replaces its form by a confirmation once /passwordless/start answered.
            email.or_(phone).first.wait_for(state="detached", timeout=TIMEOUT_MS)

    def _choose_country(self, page, phone_number: str) -> str:
        """Pick the country whose dialing code starts the number; return the rest to type.

        Lock sends the chosen dialing code followed by what is typed. Its list shows entries
        such as "+44 GB United Kingdom" (or "+54 9 AR Argentina"); several countries share a
        code (+1), and any of them gives the same number.
        """
        location = page.locator(f"{self.ROOT} input[name=location]")
        shown = location.input_value().split(" ")[0]
        if phone_number.startswith(shown):
            return phone_number[len(shown) :]
        location.click()
        entries = page.locator(f"{self.ROOT} .auth0-lock-list-code li")
        entries.first.wait_for(timeout=TIMEOUT_MS)
        best, dialing = None, ""
        for text in entries.all_inner_texts():
            words = text.split(" ")
            # The dialing code is every word before the two-letter country code.
            code = "".join(words[: next(i for i, w in enumerate(words) if w.isalpha())])
            if phone_number.startswith(code) and len(code) > len(dialing):
                best, dialing = text, code
        if best is None:
            raise AssertionError(f"Lock lists no country whose code starts {phone_number}")
        page.locator(f"{self.ROOT} input[name=search]").fill(best.split(" ")[0])
        entries.get_by_text(best, exact=True).click()
        return phone_number[len(dialing) :]

    def enter_code(self, page, code: str) -> None:
        """Type a one-time code into Lock and wait for the tenant's answer."""
        started_on = page.url
        page.locator(f"{self.ROOT} input[name=vcode]").fill(code)
        page.locator(self.SUBMIT).click()
        wait_for_answer(page, page.locator(self.ERROR), started_on)

    def error_shown(self, page) -> str | None:
        """Return the error Lock shows (a wrong or expired code), if any."""
        alert = page.locator(self.ERROR)
        return alert.text_content() if alert.is_visible() else None


class ClassicCustomUi:
    """The "Custom UI" template: a form of the page's own that calls auth0.js.

    `#identifier` takes an email address or a phone number (a `+` picks sms);
    "Send me a code" (`#btn-send-code`) or "Email me a link" (`#btn-send-link`) call
    `webAuth.passwordlessStart`, and `#code` with "Log in" (`#btn-verify`) calls
    `webAuth.passwordlessLogin`. https://auth0.com/docs/libraries/auth0js#passwordless-login
    """

    name = "classic-custom-ui"
    FIELD = "#identifier"
    ERROR = "#error-message"

    def shows(self, page, tenant: LocalTenant) -> bool:
        """Tell whether the page is a Classic page with the Custom UI form."""
        return on_classic_page(page, tenant) and page.locator(self.FIELD).count() > 0

    def submit_identifier(self, page, address: str, send: str = "code") -> None:
        """Type the address and ask for a code (or a link); wait for the page to say so."""
        # The template attaches its handlers on window `load` (as Auth0's does): a click
        # before that would submit the form by itself, to /login, and lose the login.
        page.wait_for_load_state("load")
        page.locator(self.FIELD).fill(address)
        page.locator("#btn-send-code" if send == "code" else "#btn-send-link").click()
        # The code form, or the notice that a link went out; or the tenant's refusal.
        # Both are in the page from the start, hidden: wait for one to show.
        sent = "#code" if send == "code" else "#notice"
        page.locator(f"{sent}:visible, {self.ERROR}:visible").first.wait_for(timeout=TIMEOUT_MS)

    def enter_code(self, page, code: str) -> None:
        """Type a one-time code and wait for the tenant's answer."""
        started_on = page.url
        page.locator("#code").fill(code)
        page.locator("#btn-verify").click()
        wait_for_answer(page, page.locator(self.ERROR), started_on)

    def error_shown(self, page) -> str | None:
        """Return the error the page shows (a wrong or expired code), if any."""
        alert = page.locator(self.ERROR)
        return alert.text_content() if alert.is_visible() else None
