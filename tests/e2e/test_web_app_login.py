"""The regular web app end to end: log in by email code, magic link or SMS code, or be refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import (
    CodePage,
    ConsentPage,
    ProfilePage,
    TenantLoginPage,
    WebAppHome,
    log_in_with_email_code,
    start_email_login,
)
from tests.e2e.web_stack import UNKNOWN_AUDIENCE

pytestmark = pytest.mark.e2e


def test_login_with_an_email_code_greets_the_user(web_page, web):
    home = log_in_with_email_code(web_page, web, "ada@example.com")
    # Back on the app's home page, it greets Ada by her given name.
    expect(home.greeting).to_have_text("Hello, Ada!")
    # The learner opens their profile: the claims come from the validated ID token.
    profile = ProfilePage(web_page, web.web.base_url)
    profile.open()
    expect(profile.claim("email")).to_have_text("ada@example.com")
    expect(profile.claim("email_verified")).to_have_text("true")


def test_login_with_a_magic_link_opened_in_the_same_browser(web_page, web):
    email = "link@example.com"
    home, login = WebAppHome(web_page, web.web.base_url), TenantLoginPage(web_page)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # On the tenant, they type their address and ask for a link rather than a code.
    login.ask_for_a_link(email)
    expect(web_page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(web_page.get_by_text("We sent a sign-in link to")).to_be_visible()
    expect(web_page.get_by_label("Code")).to_have_count(0)
    # They open the link from the dev outbox in the same browser tab.
    link = web.tenant.outbox(email)[0]["link"]
    assert link, "the tenant sent no link"
    web_page.goto(link)
    # The tenant asks them to let the app use the sample API, and they accept.
    ConsentPage(web_page).accept()
    # The tenant completes the login and sends them back to the app, signed in.
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, link!")


def test_login_with_an_sms_code_shows_the_phone_number(web_page, web):
    phone = "+15555550123"
    home, login, code_page = (
        WebAppHome(web_page, web.web.base_url),
        TenantLoginPage(web_page),
        CodePage(web_page),
    )
    # The learner opens the app and chooses to log in by text message.
    home.open()
    home.log_in_with("SMS")
    # On the tenant, they type their phone number.
    login.enter_identifier("Phone number", phone)
    expect(code_page.heading).to_have_text("Check your phone")
    # They read the texted code in the dev outbox and type it.
    code_page.enter_code(web.tenant.last_code(phone))
    # They let the app use the sample API.
    ConsentPage(web_page).accept()
    # Back in the app, they are greeted and the profile shows their phone number.
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.greeting).to_have_text(f"Hello, {phone}!")
    profile = ProfilePage(web_page, web.web.base_url)
    profile.open()
    expect(profile.claim("phone_number")).to_have_text(phone)


def test_a_wrong_code_is_refused_then_the_right_one_logs_in(web_page, web):
    email = "typo@example.com"
    # The learner starts a login with email and asks for a code.
    home, code_page = start_email_login(web_page, web, email)
    code = web.tenant.last_code(email)
    # They mistype the code: the tenant says so and stays on the code page.
    code_page.enter_code(f"{(int(code) + 1) % 1_000_000:06d}")
    expect(code_page.error).to_have_text(
        "That code is not right. Check the newest message and try again."
    )
    expect(web_page).to_have_url(re.compile(r"/u/login/passwordless-email-challenge\?"))
    # They type the right one, let the app use the API, and are back in the app, signed in.
    code_page.enter_code(code)
    ConsentPage(web_page).accept()
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, typo!")


def test_resend_sends_a_new_code_and_only_the_new_code_works(web_page, web):
    email = "resend@example.com"
    # The learner starts a login with email and gets a first code.
    home, code_page = start_email_login(web_page, web, email)
    first_code = web.tenant.last_code(email)
    # They press "Resend code" at once: Auth0 has no cooldown per address (the hardened
    # profile's is tested in tests/mock_tenant/test_universal_login.py).
    code_page.resend()
    expect(code_page.notice).to_have_text("We sent a new code. Only the newest one works.")
    messages = web.tenant.outbox(email)
    assert len(messages) == 2
    new_code = messages[0]["code"]
    # They type the first code: it no longer works (unless a one-in-a-million draw repeated it).
    if first_code != new_code:
        code_page.enter_code(first_code)
        expect(code_page.error).to_contain_text("That code is not right.")
    # They type the new one, let the app use the API, and are signed in.
    code_page.enter_code(new_code)
    ConsentPage(web_page).accept()
    expect(web_page).to_have_url(web.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, resend!")


def test_an_expired_code_shows_the_expiry_message(web_page, web):
    email = "late@example.com"
    # The learner starts a login with email and gets a code.
    home, code_page = start_email_login(web_page, web, email)
    code = web.tenant.last_code(email)
    # They come back to it after three minutes and one second (the code lives 180 s).
    web.tenant.advance_clock(181)
    # They type it: the tenant says it expired, and they are not signed in.
    code_page.enter_code(code)
    expect(code_page.error).to_have_text("This code has expired. Ask for a new one.")
    expect(web_page).to_have_url(re.compile(r"/u/login/passwordless-email-challenge\?"))


def test_access_denied_by_the_tenant_is_a_friendly_page_in_the_app(web_page, web):
    # This app asks for an API (audience) the tenant does not know.
    base_url = web.web_unknown_audience.base_url
    home = WebAppHome(web_page, base_url)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # The tenant refuses at once (error=access_denied), and the app explains it in a page.
    expect(web_page.get_by_role("heading", name="Login cancelled")).to_be_visible()
    expect(home.error).to_contain_text(
        f"The login service says access was denied: Service not found: {UNKNOWN_AUDIENCE}"
    )
    # The error stays out of the address bar, and nobody is signed in.
    expect(web_page).to_have_url(base_url + "/callback")
    web_page.get_by_role("link", name="Back to the home page").click()
    expect(home.log_in_with_email).to_be_visible()
