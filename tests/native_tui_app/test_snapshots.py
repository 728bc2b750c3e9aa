"""Snapshots of the main screens (pytest-textual-snapshot); `--snapshot-update` accepts changes.

A scripted client answers instead of a tenant, with fixed tokens and a frozen clock, so the
pictures never change between runs: no ports, no random ids, no ticking countdowns.
"""

from __future__ import annotations

import base64
import json
from types import MappingProxyType

import pytest
from textual.widgets import Input

from native_tui_app import errors
from native_tui_app.app import NativeApp
from native_tui_app.client import Challenge, PasswordlessClient, Tokens, connection_for

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=8)

SIZE = (120, 40)
NOW = 1_800_000_000
ID_CLAIMS = {
    "nickname": "ada",
    "name": "ada@example.com",
    "email": "ada@example.com",
    "email_verified": True,
    "iss": "http://127.0.0.1:4000/",
    "sub": "email|0123456789abcdef01234567",
    "aud": "demo-native-app",
    "iat": NOW,
    "exp": NOW + 36000,
    "auth_time": NOW,
}
ACCESS_CLAIMS = {
    "iss": "http://127.0.0.1:4000/",
    "sub": "email|0123456789abcdef01234567",
    "aud": ["urn:passwordless-demo:api", "http://127.0.0.1:4000/userinfo"],
    "iat": NOW,
    "exp": NOW + 86400,
    "scope": "openid profile email offline_access read:messages",
    "azp": "demo-native-app",
}


def jwt_shaped(payload: dict) -> str:
    """Return a JWT-shaped string with a fixed header; only its display is under test."""

    def segment(data: dict) -> str:
        """Encode one JWT segment."""
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    header = {"alg": "RS256", "typ": "JWT", "kid": "snapshot-key"}
    return f"{segment(header)}.{segment(payload)}.c2lnbmF0dXJl"


TOKENS = Tokens(
    access_token=jwt_shaped(ACCESS_CLAIMS),
    id_token=jwt_shaped(ID_CLAIMS),
    refresh_token="v1.snapshot-refresh-token",
    expires_at=NOW + 86400,
    scope=ACCESS_CLAIMS["scope"],
    claims=MappingProxyType(ID_CLAIMS),
)


class ScriptedClient(PasswordlessClient):
    """Answers from a script: codes are always sent, 123456 is right, anything else wrong."""

    def start(self, identifier: str) -> Challenge:
        """Pretend a code went out."""
        return Challenge(identifier, connection_for(identifier))

    def login(self, identifier: str, code: str) -> Tokens:
        """Accept 123456 only, with Auth0's words for a wrong code."""
        if code != "123456":
            raise errors.WrongCode("Wrong email or verification code.")
        return TOKENS


def scripted_app() -> NativeApp:
    """Build the app on the scripted client with the clock stopped one second after login."""
    return NativeApp(ScriptedClient("http://127.0.0.1:4000"), clock=lambda: NOW + 1)


async def steady(pilot) -> None:
    """Stop the cursor blinking and let workers finish, so the picture is steady."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_sign_in_screen(snap_compare):
    assert snap_compare(
        scripted_app(), press=[*"ada@example.com"], terminal_size=SIZE, run_before=steady
    )


def test_sign_in_screen_with_a_phone_number(snap_compare):
    assert snap_compare(
        scripted_app(), press=[*"+15555550100"], terminal_size=SIZE, run_before=steady
    )


def test_code_screen_after_a_wrong_code(snap_compare):
    async def wrong_code(pilot):
        """Ask for a code, then type a wrong one."""
        await steady(pilot)
        await pilot.press(*"ada@example.com", "enter")
        await steady(pilot)
        await pilot.press(*"000000", "enter")
        await steady(pilot)

    assert snap_compare(scripted_app(), terminal_size=SIZE, run_before=wrong_code)


def test_signed_in_screen(snap_compare):
    async def sign_in(pilot):
        """Ask for a code and type the right one."""
        await steady(pilot)
        await pilot.press(*"ada@example.com", "enter")
        await steady(pilot)
        await pilot.press(*"123456", "enter")
        await steady(pilot)

    assert snap_compare(scripted_app(), terminal_size=SIZE, run_before=sign_in)
