"""Helpers for the hardening tests: requests fired at once, database reads, complete logins."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import requests

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import TIMEOUT, otp_token, start


def at_once(count: int, call: Callable[[int], object]) -> list:
    """Run `call(0)` ... `call(count - 1)` in threads released together by a barrier."""
    barrier = threading.Barrier(count, timeout=30)

    def run(n: int):
        barrier.wait()
        return call(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def read_db(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one query on a fresh connection to a tenant's database file, and close it."""
    with closing(sqlite3.connect(path, timeout=10)) as db:
        return db.execute(sql, params).fetchall()


def otp_login(server, email: str, scope: str = "openid email offline_access") -> requests.Response:
    """Do a complete OTP login as a client does: start, read the code, exchange it."""
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
    response = start(server, body)
    if response.status_code != 200:
        return response
    messages = requests.get(
        server.url("_dev/api/outbox"), params={"to": email}, timeout=TIMEOUT
    ).json()
    return otp_token(server, email, messages[0]["code"], scope=scope)


def authorize_params(challenge: str, state: str = "app-state") -> dict:
    """Return a native app's /authorize query for an email login with PKCE."""
    return {
        "client_id": NATIVE_CLIENT,
        "redirect_uri": "http://127.0.0.1:53122/callback",
        "response_type": "code",
        "scope": "openid email offline_access",
        "state": state,
        "nonce": "nonce-" + state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "connection": "email",
    }


def assert_busy_page(response) -> None:
    """Check the login pages' fail-closed answer: a 503 page with Retry-After, no redirect."""
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Retry-After"]) >= 1
    assert "busy" in response.text
    assert "Location" not in response.headers
