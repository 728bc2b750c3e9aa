"""Test helpers for the native app: user steps for Pilot, a frozen clock, a key server."""

from __future__ import annotations

import requests
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from tests.constants import NATIVE_CLIENT
from tests.issuers import KeyIssuer


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        """Return the frozen time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


async def settle(pilot: Pilot) -> None:
    """Wait until every worker finished and the screen caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def paste_and_enter(pilot: Pilot, text: str) -> None:
    """Paste into the focused input, press Enter, and wait for the answer.

    Pasting is what people do with codes, and it is one event where typing is one per key
    (Pilot waits for the app to go idle after each key, which adds up to seconds).
    """
    if text:
        pilot.app.focused.post_message(events.Paste(text))
        await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def sign_in_with_code(pilot: Pilot, tenant_server, identifier: str) -> None:
    """Do the whole direct login: identifier, Enter, code from the outbox, Enter."""
    await paste_and_enter(pilot, identifier)
    await paste_and_enter(pilot, tenant_server.last_code(identifier))


def shown(widget: Widget) -> str:
    """Return the text a widget shows on screen, with every run of blanks made one space."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(" ".join(line.text for line in lines).split())


def inject_error(tenant_server, endpoint: str, status: int, error: str, description: str) -> None:
    """Make the tenant's next answer on an endpoint the given error (dev API)."""
    response = requests.post(
        tenant_server.url("_dev/api/errors"),
        json={
            "endpoint": endpoint,
            "status": status,
            "error": error,
            "error_description": description,
        },
        timeout=10,
    )
    response.raise_for_status()


def key_server(key) -> KeyIssuer:
    """Make an issuer of our own whose ID tokens are valid for the native app, unless changed."""
    return KeyIssuer(
        key,
        default_claims={
            "sub": "email|0123456789abcdef01234567",
            "aud": NATIVE_CLIENT,
            "email": "ada@example.com",
        },
    )
