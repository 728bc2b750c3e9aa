"""The single-page app end to end: log in by email or SMS code, call the API, reload, log out."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.spa_pages import SpaHome, UniversalLogin

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = [pytest.mark.e2e, pytest.mark.slow(seconds=16)]


def log_in_by_email(page, stack, app_url: str, email: str) -> SpaHome:
    """Log in from the SPA through Universal Login with an email code; return the app page."""
    home, login = SpaHome(page, app_url), UniversalLogin(page)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # On the tenant, they type their address and ask for a code.
    login.enter_identifier("Email address", email)
    # They read the code in the dev outbox and type it.
    login.enter_code(stack.tenant.last_code(email))
    # The app asks for the sample API from localhost: they consent, as on Auth0.
    login.accept_consent()
    # The tenant sends them back to the app, which shows who they are.
    home.expect_logged_in_as(email)
    return home


def test_login_by_email_code_shows_the_profile(spa_page, stack):
    home = log_in_by_email(spa_page, stack, stack.spa.base_url, "grace@example.com")
    # The profile lists the claims of the ID token, the email among them.
    expect(
        home.profile.get_by_role("definition").filter(has_text="grace@example.com")
    ).to_have_count(2)


def test_the_outbox_mention_links_to_this_tenants_outbox(spa_page, stack):
    home = SpaHome(spa_page, stack.spa.base_url)
    home.open()
    link = spa_page.get_by_role("link", name="dev outbox")
    expect(link).to_have_attribute("href", stack.tenant.url("_dev/outbox"))


def test_login_by_sms_code_shows_the_phone_number(spa_page, stack):
    home, login = SpaHome(spa_page, stack.spa.base_url), UniversalLogin(spa_page)
    # The learner opens the app and chooses to log in by text message.
    home.open()
    home.log_in_with("SMS")
    # On the tenant, they type their phone number.
    login.enter_identifier("Phone number", "+15555550123")
    # They read the texted code in the dev outbox and type it.
    login.enter_code(stack.tenant.last_code("+15555550123"))
    login.accept_consent()
    # Back in the app, the profile shows their phone number.
    home.expect_logged_in_as("+15555550123")
    expect(home.profile.get_by_text("Phone number", exact=True)).to_be_visible()


def test_private_and_scoped_api_calls_show_the_answers(spa_page, stack):
    home = log_in_by_email(spa_page, stack, stack.spa.base_url, "api@example.com")
    # The learner calls the private endpoint: the SDK gets an access token for the API.
    home.call_api("private")
    expect(home.api_answer).to_contain_text("GET /api/private: 200")
    expect(home.api_answer).to_contain_text("You need to be authenticated")
    # Then the scoped one: the token carries read:messages.
    home.call_api("scoped")
    expect(home.api_answer).to_contain_text("GET /api/private-scoped: 200")
    expect(home.api_answer).to_contain_text("scope of read:messages")


def test_reload_keeps_the_session_with_the_localstorage_switch(spa_page, stack):
    home = log_in_by_email(spa_page, stack, stack.spa_localstorage.base_url, "stay@example.com")
    # The learner reloads the page: the SDK finds its tokens in localStorage.
    spa_page.reload()
    home.expect_logged_in_as("stay@example.com")
    # The API call still works after the reload.
    home.call_api("scoped")
    expect(home.api_answer).to_contain_text("GET /api/private-scoped: 200")


def test_reload_with_the_default_memory_cache_logs_in_again_without_a_code(spa_page, stack):
    email = "sso@example.com"
    home = log_in_by_email(spa_page, stack, stack.spa.base_url, email)
    # The learner reloads: the tokens lived in memory, so the app shows "Log in" again.
    spa_page.reload()
    expect(home.status).to_have_text("You are not logged in.")
    # They press "Log in with email": the tenant's own session signs them in, no code asked.
    messages_before = len(stack.tenant.outbox(email))
    home.log_in_with("email")
    home.expect_logged_in_as(email)
    assert len(stack.tenant.outbox(email)) == messages_before


def test_logout_then_login_again_asks_for_a_code(spa_page, stack):
    email = "again@example.com"
    home = log_in_by_email(spa_page, stack, stack.spa.base_url, email)
    # The learner logs out: the app forgets the tokens and the tenant ends its session.
    home.log_out()
    # A minute later (past the tenant's resend cooldown) they log in again:
    # Universal Login asks who they are and sends a new code.
    stack.tenant.advance_clock(60)
    home.log_in_with("email")
    login = UniversalLogin(spa_page)
    login.enter_identifier("Email address", email)
    expect(spa_page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert len(stack.tenant.outbox(email)) == 2


def test_a_tenant_error_is_shown_in_the_page(spa_page, stack):
    email = "blocked@example.com"
    home, login = SpaHome(spa_page, stack.spa.base_url), UniversalLogin(spa_page)
    # The learner starts a login and gets a code.
    home.open()
    home.log_in_with("email")
    login.enter_identifier("Email address", email)
    # Meanwhile the tenant decides to refuse the next token request (dev API).
    requests.post(
        stack.tenant.url("_dev/api/errors"),
        json={
            "endpoint": "/oauth/token",
            "status": 403,
            "error": "access_denied",
            "error_description": "The user is blocked.",
        },
        timeout=10,
    ).raise_for_status()
    # They type the code; back in the app, the code exchange fails with Auth0's error.
    login.enter_code(stack.tenant.last_code(email))
    login.accept_consent()
    expect(home.error).to_have_text("Login failed: access_denied: The user is blocked.")
    expect(home.status).to_have_text("You are not logged in.")
    # Even a failed callback leaves no code in the address bar.
    assert spa_page.url == stack.spa.base_url + "/"
