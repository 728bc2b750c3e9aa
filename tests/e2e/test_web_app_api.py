"""The regular web app end to end: calling the sample API with and without read:messages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import ApiCallPage, ConsentPage, log_in_with_email_code

pytestmark = pytest.mark.e2e


def test_api_call_without_then_with_the_read_messages_scope(web_page, web):
    email = "api@example.com"
    log_in_with_email_code(web_page, web, email)
    api_page = ApiCallPage(web_page, web.web.base_url)
    # The learner opens "API call": the app calls both API routes with their access token.
    api_page.open()
    # The private route accepts the token; the scoped one refuses it for a missing scope.
    expect(api_page.status("/api/private")).to_have_text("200")
    expect(api_page.result("/api/private")).to_contain_text("The API accepted your token.")
    expect(api_page.status("/api/private-scoped")).to_have_text("403")
    expect(api_page.result("/api/private-scoped")).to_contain_text(
        "The token is valid, but lacks a permission this route needs."
    )
    expect(api_page.answer("/api/private-scoped")).to_contain_text("insufficient_scope")
    # They press "Log in again, asking for read:messages": the tenant's session signs
    # them in without a code, and the app brings them back to the API call.
    api_page.log_in_again_for_read_messages()
    # The app asks for a permission Ada has not consented to yet: the tenant asks again.
    ConsentPage(web_page).accept()
    expect(web_page.get_by_text("Your token's scope is")).to_contain_text("read:messages")
    expect(web_page).to_have_url(web.web.base_url + "/api-call")
    assert len(web.tenant.outbox(email)) == 1
    # This time both routes accept the token, which carries read:messages.
    expect(api_page.status("/api/private")).to_have_text("200")
    expect(api_page.status("/api/private-scoped")).to_have_text("200")
    expect(api_page.answer("/api/private-scoped")).to_contain_text("read:messages")
