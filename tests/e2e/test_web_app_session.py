"""The regular web app end to end: single sign-on, prompt=login, refresh and logout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import (
    CodePage,
    ProfilePage,
    TenantLoginPage,
    log_in_with_email_code,
)

pytestmark = pytest.mark.e2e

# Past the tenant's 30-second resend cooldown, and within the app's 60-second ID token leeway.
AFTER_COOLDOWN = 31


def test_a_second_login_uses_the_tenant_session_without_a_code(web_page, web):
    email = "sso@example.com"
    home = log_in_with_email_code(web_page, web, email)
    expect(home.greeting).to_have_text("Hello, sso!")
    # The app forgets the learner (its session cookie is gone); the tenant's cookie stays.
    web_page.context.clear_cookies(name="webapp_session")
    home.open()
    expect(home.log_in_with_email).to_be_visible()
    # They press "Log in with email": the tenant remembers them and sends them straight back.
    home.log_in_with("email")
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, sso!")
    # No second code was sent.
    assert len(web.tenant.outbox(email)) == 1


def test_prompt_login_asks_for_a_code_again_despite_the_tenant_session(web_page, web):
    email = "again@example.com"
    home = log_in_with_email_code(web_page, web, email)
    login, code_page = TenantLoginPage(web_page), CodePage(web_page)
    # Half a minute later, the app sends the learner to log in with prompt=login
    # (/login?prompt=login), as an app does before a sensitive action.
    web.tenant.advance_clock(AFTER_COOLDOWN)
    web_page.goto(web.web.base_url + "/login?connection=email&prompt=login")
    # The tenant asks who they are although its session is alive.
    expect(login.heading).to_be_visible()
    expect(web_page).to_have_url(re.compile("^" + re.escape(web.tenant.url("u/login/identifier"))))
    # They type their address and get a new code.
    login.enter_identifier("Email address", email)
    assert len(web.tenant.outbox(email)) == 2
    # They type it and are back in the app.
    code_page.enter_code(web.tenant.last_code(email))
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, again!")


def test_logout_ends_both_sessions_and_the_next_login_asks_for_a_code(web_page, web):
    email = "bye@example.com"
    home = log_in_with_email_code(web_page, web, email)
    login, code_page = TenantLoginPage(web_page), CodePage(web_page)
    # The learner presses "Log out": the app, then the tenant, end their sessions,
    # and the tenant sends them back to the app's home page.
    home.log_out()
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.log_in_with_email).to_be_visible()
    expect(home.greeting).to_have_count(0)
    # They open their profile: the app sends them to log in first.
    ProfilePage(web_page, web.web.base_url).open()
    expect(login.heading).to_be_visible()
    expect(web_page).to_have_url(re.compile("^" + re.escape(web.tenant.url("u/login/identifier"))))
    # Half a minute later they type their address: the tenant sends a new code.
    web.tenant.advance_clock(AFTER_COOLDOWN)
    login.enter_identifier("Email address or phone number", email)
    expect(code_page.heading).to_have_text("Check your email")
    assert len(web.tenant.outbox(email)) == 2
    # They type it and land on the profile they asked for.
    code_page.enter_code(web.tenant.last_code(email))
    expect(web_page).to_have_url(web.web.base_url + "/profile")
    expect(web_page.get_by_role("heading", level=1)).to_have_text("bye")


def test_refresh_on_the_profile_rotates_the_refresh_token(web_page, web):
    log_in_with_email_code(web_page, web, "fresh@example.com")
    profile = ProfilePage(web_page, web.web.base_url)
    # The learner opens their profile and notes the refresh token's fingerprint.
    profile.open()
    before = profile.refresh_fingerprint()
    # They press "Refresh tokens": the app trades the refresh token in for new tokens.
    profile.refresh_tokens()
    expect(profile.notice).to_contain_text("Tokens refreshed. The refresh token rotated: ")
    # The page says the old token rotated into a new one, and now shows the new one.
    after = profile.refresh_fingerprint()
    assert after != before
    expect(profile.notice).to_contain_text(f"{before} \N{RIGHTWARDS ARROW} {after}")
    expect(profile.notice).to_contain_text("The old one is now void.")
    expect(web_page).to_have_url(web.web.base_url + "/profile")
