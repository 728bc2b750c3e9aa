"""The Playwright helper completes Universal Login, consent included, and reports a refused code."""

import pytest
from playwright.sync_api import Page

from mock_tenant.testing import LocalTenant, tenant_config
from mock_tenant.testing.playwright import enter_code, log_in, submit_identifier
from tests.testing_plugin.support import API, authorize_url, helper_api, helper_app


@pytest.fixture(scope="session")
def passwordless_tenant_config(callback_server):
    """Register an app with a localhost callback and an API, so the tenant asks for consent."""
    client = helper_app(callback_server, ["authorization_code"])
    return tenant_config(clients=[client], resource_servers=[helper_api()])


def test_log_in_accepts_the_consent_page_and_returns_at_the_app(
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


def test_log_in_by_phone_number_without_consent(page: Page, passwordless_tenant, callback_server):
    page.goto(authorize_url(passwordless_tenant, callback_server, connection="sms"))
    log_in(page, passwordless_tenant, "+15555550100")
    assert page.url.startswith(callback_server.url("/callback?code="))
    assert passwordless_tenant.last_message("+15555550100")["channel"] == "sms"


def test_a_refused_code_fails_the_test_with_the_pages_error(
    page: Page, passwordless_tenant, callback_server
):
    page.goto(authorize_url(passwordless_tenant, callback_server))
    submit_identifier(page, passwordless_tenant, "ada@example.com")
    passwordless_tenant.advance_clock(181)
    enter_code(page, passwordless_tenant, passwordless_tenant.last_code("ada@example.com"))
    assert "expired" in page.locator("#error").inner_text()


def test_log_in_says_why_when_the_tenant_refuses_the_code(
    page: Page, passwordless_tenant, callback_server
):
    class WrongCodes(LocalTenant):
        """The same tenant, but every code read from its outbox is wrong."""

        def last_code(self, to):
            return "000000"

    page.goto(authorize_url(passwordless_tenant, callback_server))
    with pytest.raises(AssertionError, match="did not accept the code: That code is not right"):
        log_in(page, WrongCodes(passwordless_tenant.base_url), "ada@example.com")
