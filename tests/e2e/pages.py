"""Page objects for the regular web app flow: the app's pages and the tenant's login pages.

They know where things are (roles and labels) and how to get there; the tests keep the
assertions. https://playwright.dev/python/docs/pom
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


class WebAppHome:
    """The web app's home page: two ways to log in, or a greeting."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.greeting = page.get_by_role("heading", level=1, name=re.compile("^Hello, "))
        self.log_in_with_email = page.get_by_role("link", name="Log in with email")
        self.error = page.get_by_role("alert")

    def open(self) -> None:
        """Open the home page."""
        self.page.goto(self.base_url + "/")

    def log_in_with(self, connection: str) -> None:
        """Press "Log in with email" or "Log in with SMS"."""
        self.page.get_by_role("link", name=f"Log in with {connection}").click()

    def log_out(self) -> None:
        """Press "Log out" in the header."""
        self.page.get_by_role("navigation", name="Main").get_by_role(
            "button", name="Log out"
        ).click()


class ProfilePage:
    """The web app's /profile: claims, decoded tokens and the refresh button."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.claims = page.get_by_role("region", name="What the tenant says about you")
        self.refresh_token = page.get_by_role("region", name="Refresh token")
        self.notice = page.get_by_role("status")

    def open(self) -> None:
        """Open the profile page (a visitor who is not signed in is sent to log in)."""
        self.page.goto(self.base_url + "/profile")

    def claim(self, name: str) -> Locator:
        """Return the value shown for one claim of the ID token."""
        term = self.claims.get_by_role("term").filter(has_text=re.compile(f"^{name}$"))
        return term.locator("xpath=following-sibling::dd[1]")

    def refresh_fingerprint(self) -> str:
        """Return the fingerprint of the refresh token the session holds, as the page shows it."""
        text = self.refresh_token.inner_text()
        match = re.search(r"fingerprint (\S+)\)", text)
        assert match, f"no refresh token fingerprint in: {text}"
        return match.group(1)

    def refresh_tokens(self) -> None:
        """Press "Refresh tokens"."""
        self.page.get_by_role("button", name="Refresh tokens").click()


class ApiCallPage:
    """The web app's /api-call: one section per API route, with the API's answer."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url

    def open(self) -> None:
        """Open the page, which calls the sample API with the session's access token."""
        self.page.goto(self.base_url + "/api-call")

    def result(self, path: str) -> Locator:
        """Return the section showing the answer of `GET <path>`."""
        return self.page.get_by_role("region", name=f"GET {path}", exact=True)

    def status(self, path: str) -> Locator:
        """Return the HTTP status shown for `GET <path>`."""
        # The status sits alone in its element, spaced by the template's indentation.
        return self.result(path).get_by_text(re.compile(r"^\s*\d{3}\s*$"))

    def answer(self, path: str) -> Locator:
        """Return the API's answer body shown for `GET <path>`."""
        return self.page.get_by_label(f"Answer from {path}", exact=True)

    def log_in_again_for_read_messages(self) -> None:
        """Press "Log in again, asking for read:messages"."""
        self.page.get_by_role("link", name="Log in again, asking for read:messages").click()


class TenantLoginPage:
    """The tenant's Universal Login identifier page ("Welcome")."""

    def __init__(self, page: Page):
        self.page = page
        self.heading = page.get_by_role("heading", name="Welcome")

    def enter_identifier(self, label: str, value: str) -> None:
        """Type the email address or phone number and press "Continue" (a code is sent)."""
        expect(self.heading).to_be_visible()
        self.page.get_by_label(label).fill(value)
        self.page.get_by_role("button", name="Continue").click()

    def ask_for_a_link(self, email: str) -> None:
        """Type the email address and press "Email me a sign-in link instead"."""
        expect(self.heading).to_be_visible()
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_role("button", name="Email me a sign-in link instead").click()


class CodePage:
    """The tenant's code page ("Check your email" / "Check your phone")."""

    def __init__(self, page: Page):
        self.page = page
        self.heading = page.get_by_role("heading", name=re.compile("^Check your"))
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")

    def enter_code(self, code: str) -> None:
        """Type the one-time code and press "Continue"."""
        expect(self.heading).to_be_visible()
        self.page.get_by_label("Code").fill(code)
        self.page.get_by_role("button", name="Continue").click()

    def resend(self) -> None:
        """Press "Resend code" (or "Resend link")."""
        self.page.get_by_role("button", name=re.compile("^Resend")).click()


class ConsentPage:
    """The tenant's consent page ("Authorize <app>"): Accept or Decline."""

    def __init__(self, page: Page):
        self.page = page
        self.heading = page.get_by_role("heading", name=re.compile("^Authorize "))

    def accept(self) -> None:
        """Press "Accept": the app may use the API on the user's behalf."""
        expect(self.heading).to_be_visible()
        self.page.get_by_role("button", name="Accept").click()

    def decline(self) -> None:
        """Press "Decline": the app gets access_denied."""
        expect(self.heading).to_be_visible()
        self.page.get_by_role("button", name="Decline").click()


def start_email_login(page: Page, web, email: str) -> tuple[WebAppHome, CodePage]:
    """Start a login from the web app's home page up to the tenant's code page.

    Args:
        page: Playwright's page.
        web: the running `WebStack` (tests/e2e/web_stack.py).
        email: the address to log in with.

    Returns:
        The app's home page and the tenant's code page, for the steps that follow.
    """
    home, login = WebAppHome(page, web.web.base_url), TenantLoginPage(page)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # On the tenant's Universal Login, they type their address and ask for a code.
    login.enter_identifier("Email address", email)
    return home, CodePage(page)


def log_in_with_email_code(page: Page, web, email: str) -> WebAppHome:
    """Log in from the web app's home page with a code sent by email; return the home page."""
    home, code_page = start_email_login(page, web, email)
    # They read the code in the dev outbox and type it.
    code_page.enter_code(web.tenant.last_code(email))
    # The app asks for the sample API from a localhost callback: the tenant asks them to
    # consent, as Auth0 does, and they accept (once: the tenant remembers it).
    ConsentPage(page).accept()
    # The tenant sends them back to the app, signed in.
    page.wait_for_url(web.web.base_url + "/")
    return home
