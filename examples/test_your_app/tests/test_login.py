"""Your app's login, end to end, against the local tenant: no real email, SMS or Auth0."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from mock_tenant.testing.playwright import enter_code, log_in, submit_identifier


def test_a_person_logs_in_with_a_code_sent_by_email(page: Page, app_url, passwordless_tenant):
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    log_in(page, passwordless_tenant, "ada@example.com")
    expect(page.get_by_role("heading", name="Hello, ada@example.com")).to_be_visible()
    message = passwordless_tenant.last_message("ada@example.com")
    assert message["channel"] == "email"


def test_a_person_logs_in_with_a_code_sent_by_sms(page: Page, app_url, passwordless_tenant):
    page.goto(app_url)
    page.get_by_role("link", name="Log in with SMS").click()
    log_in(page, passwordless_tenant, "+15555550100")
    expect(page.get_by_role("heading", name="Hello, +15555550100")).to_be_visible()
    assert passwordless_tenant.last_message("+15555550100")["channel"] == "sms"


def test_an_expired_code_is_refused_and_nobody_is_logged_in(
    page: Page, app_url, passwordless_tenant
):
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    submit_identifier(page, passwordless_tenant, "ada@example.com")
    code = passwordless_tenant.last_code("ada@example.com")
    # Auth0's codes live 180 seconds by default: move the tenant's clock past that.
    passwordless_tenant.advance_clock(181)
    enter_code(page, passwordless_tenant, code)
    expect(page.get_by_role("alert")).to_contain_text("expired")
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()


def test_the_app_says_so_when_the_token_endpoint_fails(page: Page, app_url, passwordless_tenant):
    passwordless_tenant.fail_next("/oauth/token", 503, "temporarily_unavailable")
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    log_in(page, passwordless_tenant, "ada@example.com")
    expect(page.get_by_role("alert")).to_contain_text("unavailable")
