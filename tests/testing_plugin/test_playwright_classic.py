"""The Playwright helper logs in through the Classic pages: Lock and Custom UI, email and SMS."""

from dataclasses import replace

import pytest
from playwright.sync_api import Page

from mock_tenant.testing import LocalTenant, tenant_config
from mock_tenant.testing.playwright import enter_code, error_shown, log_in, submit_identifier
from tests.testing_plugin.support import API, authorize_url, helper_api, helper_app

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=30)

TEMPLATES = {"lock-passwordless": "classic-lock", "custom-ui": "classic-custom-ui"}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Let Chromium accept the tenant's certificate, signed by a CA it does not know."""
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(scope="session", params=sorted(TEMPLATES))
def passwordless_tenant_config(request, callback_server):
    """Show one Classic template; the plugin runs one HTTPS tenant per template."""
    # Lock and auth0.js call /passwordless/start and /passwordless/verify as the app.
    client = helper_app(
        callback_server,
        ["authorization_code", "http://auth0.com/oauth/grant-type/passwordless/otp"],
    )
    prompts = {"universal_login_experience": "classic", "custom_login_page": request.param}
    return tenant_config(clients=[client], resource_servers=[helper_api()], prompts=prompts)


def test_the_tenant_says_which_classic_page_it_shows(passwordless_tenant, request):
    template = request.node.callspec.params["passwordless_tenant_config"]
    assert passwordless_tenant.experience == TEMPLATES[template]
    assert passwordless_tenant.issuer.startswith("https://")


def test_log_in_by_email_accepts_the_consent_page_and_returns_at_the_app(
    page: Page, passwordless_tenant, callback_server
):
    # A localhost callback is not verifiable, so Auth0 asks for consent to the API.
    page.goto(authorize_url(passwordless_tenant, callback_server, audience=API))
    log_in(page, passwordless_tenant, "ada@example.com")
    assert page.url.startswith(callback_server.url("/callback?code="))
    assert "state=state-1" in page.url


def test_log_in_can_stop_at_the_consent_page(page: Page, passwordless_tenant, callback_server):
    page.goto(authorize_url(passwordless_tenant, callback_server, audience=API))
    log_in(page, passwordless_tenant, "ada@example.com", consent=False)
    assert page.url.startswith(passwordless_tenant.url("/u/consent"))


def test_log_in_by_phone_number(page: Page, passwordless_tenant, callback_server):
    page.goto(authorize_url(passwordless_tenant, callback_server, connection="sms"))
    log_in(page, passwordless_tenant, "+15555550100")
    assert page.url.startswith(callback_server.url("/callback?code="))
    assert passwordless_tenant.last_message("+15555550100")["channel"] == "sms"


def test_log_in_by_a_phone_number_of_another_country(
    page: Page, passwordless_tenant, callback_server
):
    # Lock offers +1 first: the helper picks the United Kingdom from its country list.
    page.goto(authorize_url(passwordless_tenant, callback_server, connection="sms"))
    log_in(page, passwordless_tenant, "+447700900123")
    assert page.url.startswith(callback_server.url("/callback?code="))
    assert passwordless_tenant.last_message("+447700900123")["to"] == "+447700900123"


def test_an_expired_code_leaves_the_pages_error_shown(
    page: Page, passwordless_tenant, callback_server
):
    page.goto(authorize_url(passwordless_tenant, callback_server, connection="email"))
    submit_identifier(page, passwordless_tenant, "ada@example.com")
    code = passwordless_tenant.last_code("ada@example.com")
    passwordless_tenant.advance_clock(181)
    enter_code(page, passwordless_tenant, code)
    assert page.url.startswith(passwordless_tenant.url("/login"))
    assert error_shown(page, passwordless_tenant)


def test_log_in_says_why_when_the_tenant_refuses_the_code(
    page: Page, passwordless_tenant, callback_server
):
    class WrongCodes(LocalTenant):
        """The same tenant, but every code read from its outbox is wrong."""

        def last_code(self, to):
            return "000000"

    wrong = WrongCodes(**vars(passwordless_tenant))
    page.goto(authorize_url(passwordless_tenant, callback_server, connection="email"))
    with pytest.raises(AssertionError, match="did not accept the code: .+"):
        log_in(page, wrong, "ada@example.com")


def test_without_a_name_the_helper_recognizes_the_page(
    page: Page, passwordless_tenant, callback_server
):
    # A tenant started elsewhere, or a template of your own: the page tells which it is.
    unnamed = replace(passwordless_tenant, experience=None)
    page.goto(authorize_url(passwordless_tenant, callback_server))
    log_in(page, unnamed, "grace@example.com")
    assert page.url.startswith(callback_server.url("/callback?code="))


def test_the_experience_named_wins_over_the_tenants(
    page: Page, passwordless_tenant, callback_server
):
    page.goto(authorize_url(passwordless_tenant, callback_server))
    with pytest.raises(ValueError, match="unknown login experience 'classic'"):
        log_in(page, passwordless_tenant, "ada@example.com", experience="classic")
