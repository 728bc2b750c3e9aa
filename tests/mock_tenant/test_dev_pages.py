"""The dev pages in a browser: the outbox updates in place, copies codes, resets the tenant."""

import pytest
from playwright.sync_api import expect

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import freeze_clock, send_email_code, send_sms_code, start

PHONE_WIDTH = 375


@pytest.mark.e2e
def test_a_new_message_appears_without_a_reload_and_the_selection_stays(tenant_server, page):
    send_email_code(tenant_server, "first@example.com")
    page.goto(tenant_server.url("_dev/outbox"))
    first = page.locator(".message").first
    # The reader selects the first message's text, as when copying a code by hand.
    first.locator("pre.text").select_text()
    selected = page.evaluate("() => getSelection().toString()")
    assert selected
    page.evaluate("() => { window.sameDocument = true; }")

    code = send_email_code(tenant_server, "second@example.com")

    new = page.get_by_role("listitem", name="email to second@example.com")
    new.get_by_text(code, exact=True).wait_for()
    # The same document (no reload), the new message on top, the selection kept.
    assert page.evaluate("() => window.sameDocument") is True
    assert page.locator(".message").first.get_attribute("aria-label") == (
        "email to second@example.com"
    )
    assert page.evaluate("() => getSelection().toString()") == selected


@pytest.mark.e2e
def test_the_copy_button_puts_the_code_on_the_clipboard_and_says_copied(
    tenant_server, page, context
):
    code = send_sms_code(tenant_server, "+15555550172")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(tenant_server.url("_dev/outbox?to=+15555550172"))
    button = page.get_by_role("button", name="Copy the code sent to +15555550172")
    button.click()
    page.get_by_role("button", name="Copy the code sent to +15555550172").filter(
        has_text="Copied"
    ).wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == code


@pytest.mark.e2e
def test_the_reset_button_empties_the_outbox_and_the_inspector(tenant_server, page):
    send_email_code(tenant_server, "gone@example.com")
    page.goto(tenant_server.url("_dev/outbox"))
    page.get_by_role("button", name="Reset the tenant").click()
    page.get_by_text("No messages yet").wait_for()
    assert page.locator(".message").count() == 0
    assert tenant_server.outbox() == []

    send_email_code(tenant_server, "again@example.com")
    page.goto(tenant_server.url("_dev/inspector"))
    page.get_by_role("article").first.wait_for()
    page.get_by_role("button", name="Reset the tenant").click()
    page.get_by_text("No logins yet").wait_for()


@pytest.mark.e2e
def test_the_clock_banner_says_state_was_aged_and_puts_a_stopped_clock_back(tenant_server, page):
    tenant_server.advance_clock(600)
    freeze_clock(tenant_server)
    page.goto(tenant_server.url("_dev/inspector"))
    stopped = page.get_by_role("status").filter(has_text="The tenant clock is stopped")
    stopped.wait_for()
    page.get_by_role("button", name="Back to real time").click()
    stopped.wait_for(state="hidden")
    # Aged state stays aged (only a reset forgets it), and the banner keeps saying so.
    page.get_by_role("status").filter(has_text="were aged 600 s").wait_for()
    expect(page.get_by_role("button", name="Back to real time")).to_be_hidden()
    clock = page.evaluate("() => fetch('/_dev/api/clock').then((r) => r.json())")
    assert clock["frozen"] is False
    assert clock["offset"] == 0


@pytest.mark.e2e
@pytest.mark.parametrize("path", ["_dev/outbox", "_dev/inspector"])
def test_the_dev_pages_fit_a_phone_screen(tenant_server, page, path):
    send_sms_code(tenant_server, "+15555550173")
    email = "a.rather.long.address.for.a.phone@example.com"
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "link"}
    assert start(tenant_server, body).status_code == 200
    tenant_server.advance_clock(60)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto(tenant_server.url(path))
    page.locator(".message, article").first.wait_for()
    if path == "_dev/inspector":
        # Open every exchange: the tables and tokens inside are the widest things.
        for summary in page.locator("summary").all():
            summary.click()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH
