"""A tenant killed with SIGKILL in the middle of a stream of logins loses and breaks nothing.

Rules 17 and 18 of docs/security.md: every login is one SQLite transaction, so a crash at any
instant leaves either all of a login or none of it, and a restart on the same data
directory keeps signing keys, users, grants and the codes still on their way.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from contextlib import closing

import pytest

from mock_tenant.core.minting import token_hash
from tests.hardening.support import otp_login
from tests.mock_tenant.helpers import otp_token
from tests.servers import TenantProcess, tenant_workers

pytestmark = pytest.mark.skipif(
    tenant_workers() > 1, reason="starts its own tenant processes; ran in the first pass"
)

ROUNDS = 8
CLIENTS = 2
# Logins each client finishes before the kill may come (bounded in count and time).
LOGINS_BEFORE_KILL = 3
ROUND_SECONDS = 10


def test_sigkill_during_logins_keeps_the_database_whole(tmp_path):
    """Kill the tenant (every process of it) while clients log in, restart it, check, repeat.

    After each kill, with the tenant down, the database file must show:

    - `PRAGMA integrity_check` is "ok" and `PRAGMA foreign_key_check` finds nothing.
    - No token without its consumed code. The OTP grant deletes the code row, creates the
      user and the grant, and inserts the access and refresh tokens in one transaction
      (grants.OneTimeCodeGrant.create_token_response), and every email here logs in
      once, so precisely: every access or refresh token belongs to an existing grant; every
      grant has exactly one access and one refresh token (scope offline_access), and its
      user has no otp_codes row left; and every address a code was sent to (outbox) has
      either its otp_codes row or one grant, never both and never neither (a code gone
      without its tokens, or tokens whose code is still there, would be half a login).
    - Signing keys, users and grants read before the kill are there, unchanged.
    - Every login a client saw succeed (200) is there: its access token hash is stored
      (WAL with synchronous=NORMAL loses nothing when only the process dies).

    After each restart a login succeeds at once, and a code sent before the kill (a login
    still in flight) is accepted. Rounds alternate gunicorn (2 workers) and Werkzeug.
    """
    process = TenantProcess(tmp_path / "tenant", start_rate_limit_per_hour=100_000)
    database = tmp_path / "tenant" / "tenant.sqlite3"
    succeeded: list[str] = []  # access tokens of logins a client saw succeed
    pending: list[tuple[str, str]] = []  # (email, code) sent before a kill, not redeemed
    try:
        for round_number in range(ROUNDS + 1):
            process.workers = 2 if round_number % 2 == 0 else 1
            server = process.start()
            _logins_after_restart_succeed(server, round_number, pending)
            if round_number == ROUNDS:
                break
            before = _snapshot(database)
            errors, sent = _stream_and_kill(process, server, round_number, succeeded)
            assert errors == [], errors
            _check_after_kill(database, before, succeeded)
            pending = _pending_codes(database, sent)
    finally:
        process.stop()


def _logins_after_restart_succeed(server, round_number: int, pending) -> None:
    response = otp_login(server, f"after-restart-{round_number}@example.com")
    assert response.status_code == 200, response.text
    for email, code in pending[:3]:
        response = otp_token(server, email, code)
        assert response.status_code == 200, (email, response.text)


def _stream_and_kill(process, server, round_number: int, succeeded: list[str]):
    """Run clients doing logins, SIGKILL the tenant mid-stream, and return what they saw."""
    killing = threading.Event()
    errors: list[str] = []
    sent: set[str] = set()
    done = [0] * CLIENTS

    def client(n: int) -> None:
        for i in range(1000):
            if killing.is_set():
                return
            email = f"r{round_number}-c{n}-{i}@example.com"
            try:
                response = otp_login(server, email)
            except Exception as error:  # noqa: BLE001 (a dead tenant fails in many ways)
                if not killing.is_set():
                    errors.append(f"{email}: {error!r}")
                return
            sent.add(email)
            if response.status_code == 200:
                succeeded.append(response.json()["access_token"])
                done[n] += 1
            elif not killing.is_set():
                errors.append(f"{email}: {response.status_code} {response.text}")
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + ROUND_SECONDS
        while min(done) < LOGINS_BEFORE_KILL and time.monotonic() < deadline and not errors:
            time.sleep(0.02)
        # Land the kill at a random instant inside a login (a login takes some ms).
        time.sleep(random.uniform(0, 0.05))  # noqa: S311 (not for security)
    finally:
        killing.set()
        process.kill()
        for thread in threads:
            thread.join(timeout=30)
    assert min(done) >= LOGINS_BEFORE_KILL or errors, "the clients made no progress"
    return errors, list(sent)


def _snapshot(database) -> dict[str, set]:
    with closing(sqlite3.connect(database, timeout=10)) as db:
        return {
            table: set(db.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608
            for table in ("signing_keys", "users", "grants")
        }


def _check_after_kill(database, before: dict[str, set], succeeded: list[str]) -> None:
    with closing(sqlite3.connect(database, timeout=10)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, rows in before.items():
            now = set(db.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608
            assert rows <= now, f"{table}: rows changed or lost: {rows - now}"
        assert db.execute(
            "SELECT count(*) FROM access_tokens WHERE grant_id NOT IN (SELECT grant_id FROM grants)"
        ).fetchone() == (0,)
        assert db.execute(
            "SELECT count(*) FROM refresh_tokens "
            "WHERE grant_id NOT IN (SELECT grant_id FROM grants)"
        ).fetchone() == (0,)
        half_done = db.execute(
            "SELECT g.grant_id, u.identifier, "
            "(SELECT count(*) FROM access_tokens a WHERE a.grant_id = g.grant_id), "
            "(SELECT count(*) FROM refresh_tokens r WHERE r.grant_id = g.grant_id), "
            "(SELECT count(*) FROM otp_codes o "
            " WHERE o.connection = u.connection AND o.identifier = u.identifier) "
            "FROM grants g JOIN users u USING (user_id)"
        ).fetchall()
        assert [row for row in half_done if row[2:] != (1, 1, 0)] == []
        neither_or_both = db.execute(
            "SELECT m.recipient, "
            "EXISTS (SELECT 1 FROM otp_codes o WHERE o.identifier = m.recipient) AS code_left, "
            "(SELECT count(*) FROM grants g JOIN users u USING (user_id) "
            " WHERE u.identifier = m.recipient) AS grants "
            "FROM (SELECT DISTINCT recipient FROM outbox) m"
        ).fetchall()
        assert [row for row in neither_or_both if row[1] + row[2] != 1] == []
        stored = {row[0] for row in db.execute("SELECT token_hash FROM access_tokens")}
        lost = [t for t in succeeded if token_hash(t) not in stored]
        assert lost == [], f"{len(lost)} logins answered 200 were lost"


def _pending_codes(database, sent: list[str]) -> list[tuple[str, str]]:
    """Return (email, code) for codes sent before the kill and still unused."""
    with closing(sqlite3.connect(database, timeout=10)) as db:
        rows = db.execute(
            "SELECT m.recipient, m.code FROM outbox m JOIN otp_codes o "
            "ON o.identifier = m.recipient ORDER BY m.id"
        ).fetchall()
    return [(email, code) for email, code in rows if email in sent]
