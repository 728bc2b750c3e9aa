"""A disk that refuses writes fails closed: 503 `temporarily_unavailable`, never a token.

Tests run as root in CI, and root ignores file modes, so `chmod` cannot make the database
read-only, and mounting a small filesystem needs privileges the tests do not have. Two
techniques that hold for root too:

- Full disk: the kernel's file-size limit (RLIMIT_FSIZE, set on the running tenant process
  with prlimit). Root is bound by it like anyone: every write at or past the limit fails
  with EFBIG, as writes fail with ENOSPC on a full disk, and SQLite reports SQLITE_FULL or
  SQLITE_IOERR ("database or disk is full", "disk I/O error"). Reads still work: WAL
  readers only use the shared-memory index the tenant mapped at start.
- Read-only: `PRAGMA query_only` on the tenant's connections, in process: SQLite then
  refuses every write with SQLITE_READONLY ("attempt to write a readonly database"), the
  answer it gives for a file or a filesystem it may not write.
"""

from __future__ import annotations

import resource

import pytest
import requests

from tests.constants import NATIVE_CLIENT
from tests.hardening.support import assert_busy_page, authorize_params, read_db
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    login,
    otp_token,
    pkce_pair,
    refresh,
    send_email_code,
    start,
    userinfo,
)
from tests.servers import TenantProcess, tenant_workers


def _assert_fails_closed(response) -> None:
    assert_error(response, 503, "temporarily_unavailable")
    assert int(response.headers["Retry-After"]) >= 1
    assert "access_token" not in response.text


def _checks_while_writes_fail(server, email: str, code: str, refresh_token: str) -> None:
    """Every write fails closed; reads still answer; nothing was half-done."""
    _assert_fails_closed(otp_token(server, email, code))
    _assert_fails_closed(refresh(server, refresh_token))
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "new@example.com"}
    _assert_fails_closed(start(server, {**body, "send": "code"}))
    # A browser starting a login gets the busy page, not a redirect.
    _, challenge = pkce_pair()
    authorize = requests.get(
        server.url("authorize"),
        params=authorize_params(challenge),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert_busy_page(authorize)


def _checks_after(server, email: str, code: str, refresh_token: str, access_token: str) -> None:
    """The refused requests changed nothing: the code and the refresh token still work."""
    assert server.outbox("new@example.com") == []
    rows = read_db(
        server.tenant.storage.path,
        "SELECT attempts FROM otp_codes WHERE identifier = ?",
        (email,),
    )
    assert rows == [(0,)]
    assert read_db(
        server.tenant.storage.path,
        "SELECT count(*) FROM grants g JOIN users u USING (user_id) WHERE u.identifier = ?",
        (email,),
    ) == [(0,)]
    assert userinfo(server, access_token).status_code == 200


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux prlimit")
@pytest.mark.skipif(tenant_workers() > 1, reason="starts its own tenant; ran in the first pass")
def test_a_full_disk_gives_503_and_no_token(tmp_path):
    process = TenantProcess(tmp_path / "tenant")
    try:
        server = process.start()
        tokens = login(server, "before@example.com", scope="openid offline_access")
        email = "full@example.com"
        code = send_email_code(server, email)
        pid = process.process.pid
        soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
        # From now on the tenant cannot write a byte past the start of any file.
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, hard))
        try:
            _checks_while_writes_fail(server, email, code, tokens["refresh_token"])
            # Reads still answer (discovery, the JWKS, /userinfo, the outbox).
            assert userinfo(server, tokens["access_token"]).status_code == 200
            _checks_after(server, email, code, tokens["refresh_token"], tokens["access_token"])
        finally:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))
        # Space again: the same code and refresh token work, and the database is whole.
        assert otp_token(server, email, code).status_code == 200
        assert refresh(server, tokens["refresh_token"]).status_code == 200
        path = server.tenant.storage.path
        assert read_db(path, "PRAGMA integrity_check") == [("ok",)]
    finally:
        process.stop()


@pytest.mark.in_process
def test_a_read_only_database_gives_503_and_no_token(tenant_server, monkeypatch):
    storage = tenant_server.tenant.storage
    tokens = login(tenant_server, "before@example.com", scope="openid offline_access")
    email = "readonly@example.com"
    code = send_email_code(tenant_server, email)
    opened = storage.connection

    def connection_with(query_only: str):
        """Return storage.connection, with every connection it gives set query_only ON or OFF."""

        def connection():
            db = opened()
            db.execute(f"PRAGMA query_only = {query_only}")
            return db

        return connection

    # Every connection a request uses is now read-only. Requests hand their connections on
    # to later ones (Storage.release), so afterwards they are made writable again.
    monkeypatch.setattr(storage, "connection", connection_with("ON"))
    _checks_while_writes_fail(tenant_server, email, code, tokens["refresh_token"])
    monkeypatch.setattr(storage, "connection", connection_with("OFF"))
    _checks_after(tenant_server, email, code, tokens["refresh_token"], tokens["access_token"])
    monkeypatch.undo()
    assert otp_token(tenant_server, email, code).status_code == 200
    assert refresh(tenant_server, tokens["refresh_token"]).status_code == 200
