"""Gunicorn workers that boot while the database is locked wait for it instead of failing.

Gunicorn treats a worker that cannot boot as fatal and stops the whole tenant, so a worker
that meets the write lock held by another process (a test, a backup, a long transaction)
while it opens the tenant must retry, for a bounded time, rather than fail.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing

import pytest

from tests.hardening.support import otp_login
from tests.servers import TenantProcess, tenant_workers

pytestmark = pytest.mark.skipif(
    tenant_workers() > 1, reason="starts its own tenant processes; ran in the first pass"
)


def test_workers_started_while_the_database_is_locked_wait_and_serve(tmp_path):
    # A lock held longer than the busy timeout: waiting inside SQLite is not enough.
    process = TenantProcess(tmp_path / "tenant", workers=2, busy_timeout=0.5)
    try:
        # A first run creates the database (schema, secret, key, seed users).
        process.start()
        process.stop()
        database = process.data_dir / "tenant.sqlite3"
        with closing(sqlite3.connect(database, check_same_thread=False)) as db:
            db.isolation_level = None
            db.execute("BEGIN EXCLUSIVE")
            # Another process (a backup, a long transaction) holds the lock while the
            # workers boot; it lets go once a worker has said it waits (not after a fixed
            # time: on a busy machine the workers may not reach the database before it).
            release = threading.Thread(target=_release_when_waiting, args=(process, db))
            release.start()
            try:
                server = process.start()
            finally:
                release.join()
        assert "tries to start again" in process.log()
        assert otp_login(server, "booted@example.com").status_code == 200
    finally:
        process.stop()


def _release_when_waiting(process: TenantProcess, db: sqlite3.Connection) -> None:
    """Roll the lock holder's transaction back once the tenant logs a worker waiting for it."""
    deadline = time.monotonic() + 20
    while "tries to start again" not in process.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    db.execute("ROLLBACK")
