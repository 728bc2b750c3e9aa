"""Test helpers for the native app: user steps for Pilot, a frozen clock, a key server."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import jwt
import requests
from flask import Flask
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from tests.conftest import NATIVE_CLIENT


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


@dataclass
class KeyServer:
    """An issuer of our own: it publishes a JWKS for a test key, so tests can sign anything."""

    key: object
    kid: str = "test-key"
    base_url: str = ""
    jwks_fetches: int = 0

    @property
    def issuer(self) -> str:
        """Return the issuer its tokens name (Auth0 style, with a trailing slash)."""
        return self.base_url + "/"

    def claims(self, **changes) -> dict:
        """Return valid ID token claims, some changed (None removes one)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "email|0123456789abcdef01234567",
            "aud": NATIVE_CLIENT,
            "iat": now,
            "exp": now + 3600,
            "email": "ada@example.com",
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, headers: dict | None = None, **changes) -> str:
        """Sign an ID token with the test key."""
        return jwt.encode(
            self.claims(**changes),
            self.key,
            algorithm="RS256",
            headers={"kid": self.kid, **(headers or {})},
        )

    def make_app(self, base_url: str) -> Flask:
        """Build the app that serves `/.well-known/jwks.json`."""
        app = Flask("key_server")

        @app.get("/.well-known/jwks.json")
        def jwks():
            """Serve the public half of the test key."""
            self.jwks_fetches += 1
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

        return app
