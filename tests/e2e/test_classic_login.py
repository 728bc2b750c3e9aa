"""Classic Universal Login end to end: Auth0's unmodified Lock and auth0.js on the tenant's page."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from mock_tenant.config import BUILTIN_LOGIN_PAGES
from native_tui_app.client import PasswordlessClient
from tests.constants import API_AUDIENCE, NATIVE_CLIENT
from tests.e2e.classic_stack import ClassicStack, classic_stack, trusting
from tests.e2e.pages import ConsentPage, WebAppHome
from tests.e2e.spa_pages import SpaHome, UniversalLogin
from tests.e2e.web_stack import TIMEOUT_MS

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = [pytest.mark.e2e, pytest.mark.slow(seconds=31)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Let Chromium accept the tenant's certificate (a person trusts the CA, or clicks on)."""
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(scope="module")
def lock_stack(tmp_path_factory) -> Iterator[ClassicStack]:
    """Run the web app against a tenant that shows the Lock (passwordless) page."""
    with classic_stack(tmp_path_factory.mktemp("classic-lock"), "lock-passwordless") as stack:
        yield stack


@pytest.fixture(scope="module")
def custom_stack(tmp_path_factory) -> Iterator[ClassicStack]:
    """Run the web app against a tenant that shows the Custom UI (auth0.js) page."""
    with classic_stack(tmp_path_factory.mktemp("classic-custom"), "custom-ui") as stack:
        yield stack


@pytest.fixture
def classic_page(page: Page) -> Page:
    """Return Playwright's page with short timeouts."""
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


def lock_code_login(page: Page, stack: ClassicStack, identifier: str) -> None:
    """On the Lock page, ask for a code, read it in the dev outbox and type it."""
    page.get_by_placeholder("yours@example.com").fill(identifier)
    page.get_by_role("button", name="Submit").click()
    code_box = page.get_by_placeholder("Your code")
    expect(code_box).to_be_visible()
    code_box.fill(stack.tenant.last_code(identifier))
    page.get_by_role("button", name="Submit").click()


def fill_identifier(page: Page, identifier: str) -> None:
    """Type an address on the Custom UI page once its script has set up the form."""
    # The template attaches its handlers on window `load` (as Auth0's does): a click before
    # that submits the form by itself, to /login, and the login is lost.
    page.wait_for_load_state("load")
    page.get_by_label("Email or phone number").fill(identifier)


def custom_ui_code_login(page: Page, stack: ClassicStack, identifier: str) -> None:
    """On the Custom UI page (auth0.js), ask for a code, read it in the outbox and type it."""
    fill_identifier(page, identifier)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    page.get_by_label("Code").fill(stack.tenant.last_code(identifier))
    page.get_by_role("button", name="Log in").click()


def test_web_app_logs_in_through_the_lock_page_with_an_email_code(classic_page, lock_stack):
    page, email = classic_page, "ada@example.com"
    lock_stack.tenant.reset()
    home = WebAppHome(page, lock_stack.web.base_url)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # The tenant shows its Classic page: Auth0's Lock widget, in passwordless mode.
    expect(page).to_have_url(lock_stack.tenant.base_url + "/login?" + page.url.split("?")[1])
    # Lock asks for the address, then the code; they read it in the dev outbox and type it.
    lock_code_login(page, lock_stack, email)
    # The app asks for the sample API from a localhost callback: they consent.
    ConsentPage(page).accept()
    # Back on the app, signed in.
    page.wait_for_url(lock_stack.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, Ada!")


def test_web_app_logs_in_through_the_custom_ui_page_with_an_email_code(classic_page, custom_stack):
    page, email = classic_page, "grace@example.com"
    custom_stack.tenant.reset()
    home = WebAppHome(page, custom_stack.web.base_url)
    # The learner opens the app and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # The tenant's Classic page is the Custom UI form, running auth0.js.
    expect(page.get_by_role("heading", name="Log in to Demo Regular Web App")).to_be_visible()
    fill_identifier(page, email)
    page.get_by_role("button", name="Send me a code").click()
    # auth0.js's passwordlessStart sent a code; they type it from the dev outbox.
    expect(page.get_by_role("status")).to_have_text(f"We sent a code to {email}.")
    page.get_by_label("Code").fill(custom_stack.tenant.last_code(email))
    page.get_by_role("button", name="Log in").click()
    ConsentPage(page).accept()
    page.wait_for_url(custom_stack.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, grace!")


def test_a_wrong_code_on_the_custom_ui_page_shows_the_tenants_error(classic_page, custom_stack):
    page, email = classic_page, "wrong@example.com"
    custom_stack.tenant.reset()
    WebAppHome(page, custom_stack.web.base_url).open()
    page.get_by_role("link", name="Log in with email").click()
    fill_identifier(page, email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("status")).to_have_text(f"We sent a code to {email}.")
    right = custom_stack.tenant.last_code(email)
    # They mistype the code: /passwordless/verify refuses it and the page says why.
    page.get_by_label("Code").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or verification code.")


def test_web_app_logs_in_through_the_custom_ui_page_with_an_sms_code(classic_page, custom_stack):
    page, phone = classic_page, "+15555550199"
    custom_stack.tenant.reset()
    home = WebAppHome(page, custom_stack.web.base_url)
    home.open()
    home.log_in_with("SMS")
    # The app asked for the sms connection: the page sends a text message.
    custom_ui_code_login(page, custom_stack, phone)
    ConsentPage(page).accept()
    page.wait_for_url(custom_stack.web.base_url + "/")
    expect(home.greeting).to_be_visible()


def test_web_app_logs_in_through_the_custom_ui_page_with_a_magic_link(classic_page, custom_stack):
    page, email = classic_page, "link@example.com"
    custom_stack.tenant.reset()
    home = WebAppHome(page, custom_stack.web.base_url)
    home.open()
    home.log_in_with("email")
    fill_identifier(page, email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_have_text(f"We sent a sign-in link to {email}.")
    # They open the link from the dev outbox in the same browser.
    link = custom_stack.tenant.outbox(email)[0]["link"]
    assert "/passwordless/verify_redirect?" in link
    page.goto(link)
    ConsentPage(page).accept()
    page.wait_for_url(custom_stack.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, link!")


def test_spa_logs_in_through_the_lock_page_with_an_email_code(classic_page, lock_stack):
    spa_login(classic_page, lock_stack, "spa@example.com", lock_code_login)


def test_spa_logs_in_through_the_custom_ui_page_with_an_email_code(classic_page, custom_stack):
    spa_login(classic_page, custom_stack, "spa-custom@example.com", custom_ui_code_login)


def spa_login(page: Page, stack: ClassicStack, email: str, ask_and_type_code) -> None:
    """Log in to the SPA (auth0-spa-js) by an email code typed on a Classic page."""
    stack.tenant.reset()
    home = SpaHome(page, stack.spa.base_url)
    # The learner opens the SPA and chooses to log in with email.
    home.open()
    home.log_in_with("email")
    # The tenant's Classic page (Lock, or the Custom UI with auth0.js) sends a code; they type it.
    ask_and_type_code(page, stack, email)
    UniversalLogin(page).accept_consent()
    # auth0-spa-js exchanges the code (PKCE) and the SPA shows who they are.
    home.expect_logged_in_as(email)


def test_native_app_browser_login_goes_through_the_custom_ui_page(classic_page, custom_stack):
    native_browser_login(classic_page, custom_stack, "native@example.com", custom_ui_code_login)


def test_native_app_browser_login_goes_through_the_lock_page(classic_page, lock_stack):
    native_browser_login(classic_page, lock_stack, "native-lock@example.com", lock_code_login)


def native_browser_login(page: Page, stack: ClassicStack, email: str, ask_and_type_code) -> None:
    """Log the terminal app's client in through a Classic page, as its browser login does."""
    stack.tenant.reset()
    client = PasswordlessClient(
        domain=stack.tenant.base_url,
        client_id=NATIVE_CLIENT,
        audience=API_AUDIENCE,
        api_url=stack.api.base_url,
    )
    # The terminal app starts its browser login (loopback redirect, PKCE) in a thread and
    # hands the authorization URL to the "system browser", here Chromium.
    opened: queue.Queue[str] = queue.Queue()
    outcome: dict = {}

    def log_in() -> None:
        """Wait for the loopback callback, keeping the tokens or the error for the test."""
        try:
            outcome["tokens"] = client.browser_login(open_browser=opened.put, timeout=60)
        except Exception as error:  # handed over to the test's thread
            outcome["error"] = error

    # Each stack has its own CA and the module keeps both running: trust this one's.
    with trusting(stack.tenant.ca_bundle):
        thread = threading.Thread(target=log_in, daemon=True)
        thread.start()
        page.goto(opened.get(timeout=10))
        # The tenant's Classic page: the person asks for a code and types it.
        ask_and_type_code(page, stack, email)
        ConsentPage(page).accept()
        # The tenant redirects to the app's loopback listener, which says to go back.
        expect(page.get_by_role("heading", name="You can close this tab")).to_be_visible()
        thread.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["tokens"].claims["email"] == email


def wait_for_link(tenant, email: str) -> str:
    """Return the magic link sent to an address, waiting a little for it to arrive."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        messages = tenant.outbox(email)
        if messages and messages[0]["link"]:
            return messages[0]["link"]
        time.sleep(0.1)
    raise AssertionError(f"no link was sent to {email}")


@pytest.fixture(scope="module")
def lock_link_stack(tmp_path_factory) -> Iterator[ClassicStack]:
    """Run a tenant showing the developer's own template: Lock, set to send magic links."""
    folder = tmp_path_factory.mktemp("classic-own")
    lock = BUILTIN_LOGIN_PAGES["lock-passwordless"].read_text(encoding="utf-8")
    own = lock.replace("passwordlessMethod: 'code'", "passwordlessMethod: 'link'")
    assert own != lock
    (folder / "my-login.html").write_text(own, encoding="utf-8")
    with classic_stack(folder, str(folder / "my-login.html")) as stack:
        yield stack


def test_your_own_lock_template_logs_in_with_a_magic_link(classic_page, lock_link_stack):
    page, email = classic_page, "link@example.com"
    lock_link_stack.tenant.reset()
    home = WebAppHome(page, lock_link_stack.web.base_url)
    home.open()
    home.log_in_with("email")
    # The developer's template: Lock with passwordlessMethod "link" emails a link.
    page.get_by_placeholder("yours@example.com").fill(email)
    page.get_by_role("button", name="Submit").click()
    # They open it from the dev outbox in the same browser, once it has arrived.
    page.goto(wait_for_link(lock_link_stack.tenant, email))
    ConsentPage(page).accept()
    page.wait_for_url(lock_link_stack.web.base_url + "/")
    expect(home.greeting).to_have_text("Hello, link!")
