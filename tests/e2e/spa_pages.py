"""Page objects for the SPA flow: the app's page and the tenant's Universal Login pages.

They know where things are (roles and labels); the tests keep the assertions.
https://playwright.dev/python/docs/pom
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


class SpaHome:
    """The single-page app's only page."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.status = page.get_by_role("status", name="Login status")
        self.error = page.get_by_role("alert")
        self.profile = page.get_by_role("region", name="Profile")
        self.api_answer = page.get_by_role("status", name="API answer")

    def open(self) -> None:
        """Open the app and wait until it has decided whether someone is logged in."""
        self.page.goto(self.base_url + "/")
        expect(self.status).not_to_have_text("Loading…")

    def log_in_with(self, connection: str) -> None:
        """Press "Log in with email" or "Log in with SMS"."""
        self.page.get_by_role("button", name=f"Log in with {connection}").click()

    def call_api(self, which: str) -> None:
        """Press "Call private API" or "Call scoped API"."""
        self.page.get_by_role("button", name=f"Call {which} API").click()

    def log_out(self) -> None:
        """Press "Log out" and wait to be back on the app, logged out."""
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_url(self.base_url + "/")
        expect(self.status).to_have_text("You are not logged in.")

    def expect_logged_in_as(self, name: str) -> None:
        """Check that the app shows this user's profile."""
        expect(self.status).to_have_text(f"Logged in as {name}.")
        expect(self.profile).to_be_visible()


class UniversalLogin:
    """The tenant's identifier and code pages."""

    def __init__(self, page: Page):
        self.page = page

    def enter_identifier(self, label: str, value: str) -> None:
        """Type the email address or phone number and continue."""
        expect(self.page.get_by_role("heading", name="Welcome")).to_be_visible()
        self.page.get_by_label(label).fill(value)
        self.page.get_by_role("button", name="Continue").click()

    def enter_code(self, code: str) -> None:
        """Type the one-time code and continue."""
        expect(self.page.get_by_role("heading", name=re.compile("^Check your"))).to_be_visible()
        self.page.get_by_label("Code").fill(code)
        self.page.get_by_role("button", name="Continue").click()

    def accept_consent(self) -> None:
        """Press "Accept" on the consent page (the SPA asks for the API from localhost)."""
        expect(self.page.get_by_role("heading", name=re.compile("^Authorize "))).to_be_visible()
        self.page.get_by_role("button", name="Accept").click()
