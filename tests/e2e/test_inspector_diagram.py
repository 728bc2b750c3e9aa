"""The flow inspector draws a web-app login as a Mermaid sequence diagram, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import log_in_with_email_code

pytestmark = pytest.mark.e2e


def test_the_inspector_draws_a_web_app_login_and_its_logout_as_a_sequence_diagram(web_page, web):
    email = "diagram@example.com"
    home = log_in_with_email_code(web_page, web, email)
    home.log_out()
    web_page.wait_for_url(re.compile(re.escape(web.web.base_url) + "/?$"))
    # The page's own CSP stays on (no bypass): Mermaid must draw within it.
    refused = []
    web_page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # The learner opens the inspector for this user.
    web_page.goto(web.tenant.url(f"_dev/inspector?user={email}"))
    login = web_page.get_by_role("article").first
    expect(login.get_by_role("heading", level=2)).to_contain_text(email)
    # Beside the timeline, the login is drawn: Mermaid's SVG, with the chapter's actors.
    drawing = login.get_by_role("img", name="Sequence diagram of this login")
    expect(drawing).to_be_visible()
    for actor in ("Browser", "Web app", "Tenant", "Outbox"):
        expect(drawing.locator("text.actor", has_text=actor).first).to_be_visible()
    # The arrows read as chapter 2's, entity codes shown as the characters they stand for.
    for label in (
        "GET /authorize",
        "Code check: ok",
        "POST /oauth/token (grant_type=authorization_code)",
        "200 with ID token, access token, refresh token",
        "GET /v2/logout",
    ):
        expect(drawing.locator("text", has_text=label).first).to_be_visible()
    assert refused == []
