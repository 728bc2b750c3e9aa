"""The signed-in screen: claims, token panel, refresh, API calls and logout."""

from __future__ import annotations

import hashlib
import time

import pytest

from native_tui_app import errors
from native_tui_app.client import PasswordlessClient
from native_tui_app.screens import SignedInScreen, SignInScreen
from tests.native_tui_app.helpers import settle, shown, sign_in_with_code

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=8)

EMAIL = "ada@example.com"
SIZE = (120, 50)


async def test_the_screen_shows_who_signed_in_from_the_validated_id_token(make_app, tenant_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Sign in with an emailed code.
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        assert "Signed in as ada@example.com" in shown(app.screen.query_one("#who"))
        claims = shown(app.screen.query_one("#claims"))
        assert "email_verified true" in claims
        assert tenant_server.issuer in claims


async def test_the_token_panel_decodes_both_tokens_and_counts_down(make_app, tenant_server, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Sign in, and look at the screen at once.
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        clock.now = time.time()
        app.screen.update_expiry()  # what the screen's one-second timer does
        # Header and payload of the ID token and of the access token.
        id_token = shown(app.screen.query_one("#id-token"))
        access_token = shown(app.screen.query_one("#access-token"))
        assert '"alg": "RS256"' in id_token and '"aud": "demo-native-app"' in id_token
        assert "urn:passwordless-demo:api" in access_token and "read:messages" in access_token
        # The ID token lives 10 hours; a minute later the countdown has moved.
        before = shown(app.screen.query_one("#id-token-expiry"))
        assert "ID token (validated): expires in 9h 59m" in before
        clock.advance(60)
        app.screen.update_expiry()
        assert shown(app.screen.query_one("#id-token-expiry")) != before
        assert "expires in 23h 58m" in shown(app.screen.query_one("#access-token-expiry"))


async def test_refresh_shows_that_the_refresh_token_rotated(make_app, tenant_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Sign in and note the refresh token.
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        first = app.tokens
        # A few seconds later, press "r".
        tenant_server.advance_clock(5)
        await pilot.press("r")
        await settle(pilot)
        # New tokens; the screen says the old refresh token no longer works.
        assert app.tokens.refresh_token != first.refresh_token
        line = shown(app.screen.query_one("#refresh-token"))
        # The old token is named by the inspector's fingerprint, never by its own characters.
        old = "…" + hashlib.sha256(first.refresh_token.encode()).hexdigest()[:8]
        assert f"Rotated: the previous one ({old}) no longer works" in line
        assert first.refresh_token[:6] not in line
        assert "Tokens refreshed" in shown(app.screen.query_one("#notice"))
        # And indeed the tenant refuses the old one now.
        with pytest.raises(errors.SessionExpired):
            app.client.refresh(first)


class CountingClient(PasswordlessClient):
    """A client that counts its refresh calls."""

    refreshes = 0

    def refresh(self, tokens):
        """Count, then refresh."""
        self.refreshes += 1
        return super().refresh(tokens)


async def test_a_refused_refresh_drops_the_tokens_and_shows_sign_in_without_retrying(
    make_app, tenant_server
):
    client = CountingClient(tenant_server.base_url)
    app = make_app(client=client)
    async with app.run_test(size=SIZE) as pilot:
        # Sign in; then the login is revoked elsewhere (another device logs it out).
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        PasswordlessClient(tenant_server.base_url).logout(app.tokens)
        # Press "r": the tenant refuses the refresh token.
        await pilot.press("r")
        await settle(pilot)
        # Back on an empty sign-in screen, tokens gone, after exactly one try.
        assert isinstance(app.screen, SignInScreen)
        assert app.tokens is None
        assert "Your session has ended" in shown(app.screen.query_one("#notice"))
        assert app.screen.query_one("#identifier").value == ""
        assert client.refreshes == 1


async def test_the_api_calls_show_the_apis_answers(make_app, api_client, tenant_server):
    app = make_app(client=api_client)
    async with app.run_test(size=SIZE) as pilot:
        # Sign in, then press "p" for /api/private.
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        await pilot.press("p")
        await settle(pilot)
        result = shown(app.screen.query_one("#api-result"))
        assert "GET /api/private answered 200" in result
        assert "Hello from a private endpoint" in result
        # Press "s" for /api/private-scoped, which needs read:messages.
        await pilot.press("s")
        await settle(pilot)
        result = shown(app.screen.query_one("#api-result"))
        assert "GET /api/private-scoped answered 200" in result
        assert "scope of read:messages" in result


async def test_an_unreachable_api_is_an_error_and_the_session_goes_on(make_app, tenant_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Sign in; no API runs. Press "p".
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        await pilot.press("p")
        await settle(pilot)
        assert "Cannot reach the API" in shown(app.screen.query_one("#error"))
        assert isinstance(app.screen, SignedInScreen)
        assert app.tokens is not None


async def test_logout_revokes_wipes_and_returns_to_sign_in(make_app, tenant_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Sign in and keep a copy of the tokens (as an attacker who saw them might).
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        seen = app.tokens
        # Press "l" to log out.
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.tokens is None
        assert "Signed out. The refresh token was revoked." in shown(
            app.screen.query_one("#notice")
        )
        assert app.focused.id == "identifier"
        # The refresh token is dead at the tenant.
        tenant_server.advance_clock(5)
        with pytest.raises(errors.SessionExpired):
            app.client.refresh(seen)


async def test_logout_with_the_tenant_unreachable_still_wipes_the_tokens(
    make_app, tenant_server, unreachable_url
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Sign in; then the tenant becomes unreachable. Press "l".
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        app.client.base_url = unreachable_url
        await pilot.press("l")
        await settle(pilot)
        # Signed out here anyway, and told the revocation did not happen.
        assert isinstance(app.screen, SignInScreen)
        assert app.tokens is None
        assert "could not revoke" in shown(app.screen.query_one("#notice"))
