"""A database locked past the busy timeout fails closed: 503 with Retry-After, and no token."""

import contextlib
import sqlite3

import pytest
import requests

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    login,
    otp_token,
    refresh,
    send_email_code,
    start,
    userinfo,
)


@contextlib.contextmanager
def locked(server):
    """Hold an exclusive transaction on the tenant's database from another connection."""
    db = sqlite3.connect(server.tenant.storage.path, isolation_level=None, timeout=5)
    try:
        db.execute("BEGIN EXCLUSIVE")
        yield
        db.execute("ROLLBACK")
    finally:
        db.close()


def _assert_busy(response) -> None:
    assert_error(response, 503, "temporarily_unavailable")
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.tenant_config(busy_timeout=0.2)
def test_a_locked_database_gives_503_and_no_token(tenant_server):
    code = send_email_code(tenant_server, "busy@example.com")
    with locked(tenant_server):
        # The right code cannot be consumed while the database is locked: 503, not a token.
        _assert_busy(otp_token(tenant_server, "busy@example.com", code))
    # Once the lock is gone, the same code still works: nothing was half-done.
    response = otp_token(tenant_server, "busy@example.com", code)
    assert response.status_code == 200, response.text


@pytest.mark.tenant_config(busy_timeout=0.2)
def test_a_locked_database_gives_503_to_passwordless_start(tenant_server):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "wait@example.com",
        "send": "code",
    }
    with locked(tenant_server):
        _assert_busy(start(tenant_server, body))
    assert tenant_server.outbox("wait@example.com") == []
    # After the lock, the request goes through: the refused one started no cooldown.
    assert start(tenant_server, body).status_code == 200


@pytest.mark.tenant_config(busy_timeout=0.2)
def test_a_locked_database_gives_503_to_a_refresh_and_rotates_nothing(tenant_server):
    r1 = login(tenant_server, "busyrt@example.com", scope="openid offline_access")["refresh_token"]
    with locked(tenant_server):
        _assert_busy(refresh(tenant_server, r1))
    # R1 was not rotated by the refused request, so it is not a reuse now.
    response = refresh(tenant_server, r1)
    assert response.status_code == 200, response.text


@pytest.mark.tenant_config(busy_timeout=0.2)
def test_reads_still_answer_while_the_database_is_locked(tenant_server):
    tokens = login(tenant_server, "reader@example.com")
    with locked(tenant_server):
        # Discovery, the JWKS and /userinfo only read, and WAL lets readers past a writer.
        for path in (".well-known/openid-configuration", ".well-known/jwks.json"):
            response = requests.get(tenant_server.url(path), timeout=TIMEOUT)
            assert response.status_code == 200, (path, response.text)
        assert userinfo(tenant_server, tokens["access_token"]).status_code == 200
