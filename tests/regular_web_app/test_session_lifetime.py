"""Session lifetimes: an idle timeout (30 min) and an absolute lifetime (8 h), on a fake clock.

https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration
"""

from __future__ import annotations

import datetime

import pytest

from regular_web_app import auth as web_auth
from tests.regular_web_app.conftest import WebAppActions

MINUTE, HOUR = 60, 3600


@pytest.fixture
def clock(monkeypatch):
    """Replace the web app's clock with one the test moves by hand."""

    class Clock:
        """A Unix time that only moves when told to."""

        time = 1_900_000_000.0

        def advance(self, seconds: float) -> None:
            """Move the clock forward."""
            self.time += seconds

    fake = Clock()
    monkeypatch.setattr(web_auth, "now", lambda: fake.time)
    return fake


def signed_in(client) -> bool:
    """Tell whether the home page greets a signed-in user."""
    return "Hello" in client.get("/").text


def test_a_session_idle_for_longer_than_30_minutes_ends(auth, client, clock):
    auth.login()
    clock.advance(29 * MINUTE)
    assert signed_in(client)
    clock.advance(30 * MINUTE + 1)
    assert not signed_in(client)
    # The stored session is gone too: a protected page asks for a login.
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_activity_does_not_keep_a_session_beyond_8_hours(auth, client, clock):
    auth.login()
    # A request every 20 minutes: never idle, yet the session ends 8 hours after login.
    for _ in range(8 * 3 - 1):
        clock.advance(20 * MINUTE)
        assert signed_in(client)
    clock.advance(20 * MINUTE + 1)
    assert not signed_in(client)


def test_both_lifetimes_are_settings(make_web_app, tenant_server, clock):
    app = make_web_app(
        AUTH0_DOMAIN=tenant_server.base_url, SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1
    )
    # The store forgets a session after the idle time too (Flask-Session's expiry).
    assert app.config["PERMANENT_SESSION_LIFETIME"] == datetime.timedelta(minutes=5)
    client = app.test_client()
    WebAppActions(client, tenant_server).login()
    clock.advance(4 * MINUTE)
    assert signed_in(client)
    clock.advance(5 * MINUTE + 1)
    assert not signed_in(client)


def test_the_defaults_are_30_minutes_idle_and_8_hours_in_all(make_web_app):
    app = make_web_app()
    assert (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_MAX_HOURS"]) == (30, 8)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == datetime.timedelta(minutes=30)
