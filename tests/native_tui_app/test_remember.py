"""`--remember`: the refresh token in a 0600 file, rotated, resumed, and deleted at logout."""

from __future__ import annotations

import stat

import pytest

from native_tui_app.remember import TokenStore, default_path
from native_tui_app.screens import SignedInScreen, SignInScreen
from tests.native_tui_app.helpers import settle, shown, sign_in_with_code

EMAIL = "ada@example.com"
SIZE = (120, 50)


@pytest.fixture
def store(tmp_path) -> TokenStore:
    """Return a token store in a private temporary config directory."""
    return TokenStore(tmp_path / "config" / "passwordless-demo" / "refresh-token")


def mode(path) -> int:
    """Return a file's permission bits."""
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_place_is_the_users_config_dir(tmp_path):
    # The test fixtures point XDG_CONFIG_HOME at a temporary directory.
    assert default_path().is_relative_to(tmp_path / "config")


def test_the_token_file_is_readable_by_its_owner_only(store):
    store.save("refresh-token-1")
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700
    assert store.load() == "refresh-token-1"


def test_saving_replaces_a_file_that_was_readable_by_others(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text("old")
    store.path.chmod(0o644)
    store.save("refresh-token-2")
    assert mode(store.path) == 0o600
    assert store.load() == "refresh-token-2"


def test_clear_deletes_the_file_and_load_then_finds_nothing(store):
    store.save("refresh-token-3")
    store.clear()
    assert not store.path.exists()
    assert store.load() is None
    store.clear()  # twice is fine


async def test_sign_in_saves_refresh_rotates_and_logout_deletes(make_app, tenant_server, store):
    app = make_app(store=store)
    async with app.run_test(size=SIZE) as pilot:
        # Sign in: the refresh token is saved.
        await sign_in_with_code(pilot, tenant_server, EMAIL)
        assert store.load() == app.tokens.refresh_token
        # Refresh a little later: the saved token follows the rotation.
        tenant_server.advance_clock(5)
        await pilot.press("r")
        await settle(pilot)
        assert store.load() == app.tokens.refresh_token
        # Log out: the file is gone.
        await pilot.press("l")
        await settle(pilot)
        assert not store.path.exists()


async def test_a_saved_login_resumes_at_start(make_app, client, tenant_server, store):
    # An earlier run signed in and saved its refresh token.
    client.start(EMAIL)
    store.save(client.login(EMAIL, tenant_server.last_code(EMAIL)).refresh_token)
    tenant_server.advance_clock(5)
    app = make_app(store=store)
    async with app.run_test(size=SIZE) as pilot:
        # Start the app: it goes straight to the signed-in screen.
        await settle(pilot)
        assert isinstance(app.screen, SignedInScreen)
        assert "Signed in as ada@example.com" in shown(app.screen.query_one("#who"))


async def test_a_saved_login_that_ended_is_forgotten(make_app, client, tenant_server, store):
    # An earlier run saved a refresh token that has since been revoked.
    client.start(EMAIL)
    tokens = client.login(EMAIL, tenant_server.last_code(EMAIL))
    store.save(tokens.refresh_token)
    client.logout(tokens)
    app = make_app(store=store)
    async with app.run_test(size=SIZE) as pilot:
        # Start the app: it stays on sign-in, says why, and deletes the file.
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "The saved login has ended" in shown(app.screen.query_one("#notice"))
        assert not store.path.exists()
