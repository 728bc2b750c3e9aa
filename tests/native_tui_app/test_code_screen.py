"""The code screen: exchange, resend with a countdown, back, and every refusal shown in place."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from native_tui_app.app import NativeApp
from native_tui_app.client import PasswordlessClient
from native_tui_app.screens import CodeScreen, SignedInScreen, SignInScreen
from tests.native_tui_app.helpers import paste_and_enter, settle, shown
from tests.servers import serve_tenant

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=9)

EMAIL = "ada@example.com"


def wrong_code(right: str) -> str:
    """Return a code that is surely not the right one."""
    return "000000" if right != "000000" else "111111"


async def test_the_code_input_has_focus(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code.
        await paste_and_enter(pilot, EMAIL)
        assert app.focused.id == "code"


async def test_enter_exchanges_the_code_for_tokens(make_app, tenant_server):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # Ask for a code, read it from the outbox, paste it and press Enter.
        await paste_and_enter(pilot, EMAIL)
        await paste_and_enter(pilot, tenant_server.last_code(EMAIL))
        assert isinstance(app.screen, SignedInScreen)
        assert app.tokens.claims["email"] == EMAIL


async def test_the_code_input_takes_digits_only(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await paste_and_enter(pilot, EMAIL)
        # Type letters and digits: only the digits land, six at most.
        await pilot.press(*"12ab345678")
        assert app.screen.query_one("#code").value == "123456"


async def test_a_wrong_code_is_shown_in_place_and_the_input_is_ready_again(make_app, tenant_server):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code and enter a wrong one.
        await paste_and_enter(pilot, EMAIL)
        await paste_and_enter(pilot, wrong_code(tenant_server.last_code(EMAIL)))
        # Same screen, Auth0's words, an empty input with focus.
        assert isinstance(app.screen, CodeScreen)
        assert "Wrong email or verification code." in shown(app.screen.query_one("#error"))
        assert app.screen.query_one("#code").value == ""
        assert app.focused.id == "code"
        # The right code still works after one wrong try.
        await paste_and_enter(pilot, tenant_server.last_code(EMAIL))
        assert isinstance(app.screen, SignedInScreen)


async def test_an_expired_code_says_to_ask_for_a_new_one(make_app, tenant_server):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code, then let three minutes pass on the tenant.
        await paste_and_enter(pilot, EMAIL)
        tenant_server.advance_clock(181)
        await paste_and_enter(pilot, tenant_server.last_code(EMAIL))
        error = shown(app.screen.query_one("#error"))
        assert "The verification code has expired" in error
        assert "Ask for a new code with Resend" in error


async def test_too_many_wrong_codes_are_shown_in_place(make_app, tenant_server):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code, enter a wrong one three times, then the right one.
        await paste_and_enter(pilot, EMAIL)
        right = tenant_server.last_code(EMAIL)
        for _ in range(3):
            await paste_and_enter(pilot, wrong_code(right))
        await paste_and_enter(pilot, right)
        assert isinstance(app.screen, CodeScreen)
        assert "maximum number of attempts" in shown(app.screen.query_one("#error"))


async def test_resend_waits_for_its_countdown_then_sends_a_new_code(make_app, tenant_server, clock):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        # Ask for a code: "Resend" counts down and cannot be used yet.
        await paste_and_enter(pilot, EMAIL)
        resend = app.screen.query_one("#resend")
        assert resend.disabled
        assert "Resend code (30 s)" in str(resend.label)
        # Ten seconds later the countdown says 20 (the screen's timer ticks every second).
        clock.advance(10)
        app.screen.update_resend()
        assert "(20 s)" in str(resend.label)
        # Thirty-one seconds in, on both clocks, resend is offered; use it.
        clock.advance(21)
        tenant_server.advance_clock(31)
        app.screen.update_resend()
        assert not resend.disabled
        await pilot.click("#resend")
        await settle(pilot)
        assert "A new code is on its way" in shown(app.screen.query_one("#notice"))
        assert len(tenant_server.outbox(EMAIL)) == 2
        assert resend.disabled
        # The new code signs in.
        await paste_and_enter(pilot, tenant_server.last_code(EMAIL))
        assert isinstance(app.screen, SignedInScreen)


@pytest.mark.tenant_config(profile="hardened")
async def test_a_resend_the_tenant_finds_too_early_uses_its_retry_after(make_app, clock):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        # Ask for a code; let our countdown run out, but not the tenant's cooldown.
        await paste_and_enter(pilot, EMAIL)
        clock.advance(31)
        app.screen.update_resend()
        # Press the resend key: the tenant answers 429 with Retry-After.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Too many requests" in shown(app.screen.query_one("#error"))
        # The countdown now follows the tenant's Retry-After.
        assert app.screen.query_one("#resend").disabled
        assert "Resend code (" in str(app.screen.query_one("#resend").label)


async def test_back_returns_to_sign_in_with_the_identifier_kept(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code, then press Escape.
        await paste_and_enter(pilot, EMAIL)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#identifier").value == EMAIL


async def test_the_back_button_works_too(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # Ask for a code, then click "Back".
        await paste_and_enter(pilot, EMAIL)
        await pilot.click("#back")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)


async def test_a_tenant_that_went_away_is_a_clear_message_with_a_way_back(tmp_path, clock):
    with ExitStack() as running:
        tenant = running.enter_context(serve_tenant(tmp_path / "tenant"))
        app = NativeApp(PasswordlessClient(tenant.base_url), clock=clock)
        async with app.run_test(size=(100, 30)) as pilot:
            # Ask for a code while the tenant runs.
            await paste_and_enter(pilot, EMAIL)
            code = tenant.last_code(EMAIL)
            # The tenant stops before the code is entered; enter it anyway.
            running.close()
            await paste_and_enter(pilot, code)
            assert "Cannot reach the tenant" in shown(app.screen.query_one("#error"))
            assert not app.screen.query_one("#busy").display
            # Escape leads back to the sign-in screen.
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
