"""A request's writes are one transaction: the exchange's and the inspector's, committed last."""

import sqlite3
import threading
from contextlib import nullcontext

import pytest

from mock_tenant.core.storage import Storage
from tests.mock_tenant.helpers import otp_token, send_email_code

# Storage and the app in this process: the gunicorn pass would run the same code again.
pytestmark = pytest.mark.in_process


def stored(path, key: str) -> list[str]:
    """Return the meta value under `key` as another connection sees it (committed only)."""
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute("SELECT value FROM meta WHERE key = ?", (key,))]
    finally:
        db.close()


def put(db, key: str) -> None:
    """Write one meta row."""
    db.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (key,))


def test_an_exchange_and_its_inspector_record_commit_as_one_transaction(tenant_server):
    storage = tenant_server.tenant.storage
    statements: list[str] = []
    connection = storage.connection

    def traced():
        """Return the thread's connection, recording every statement it runs."""
        db = connection()
        db.set_trace_callback(statements.append)
        return db

    storage.connection = traced
    try:
        code = send_email_code(tenant_server, "one@example.com")
        start = list(statements)
        statements.clear()
        assert otp_token(tenant_server, "one@example.com", code).status_code == 200
    finally:
        del storage.connection
    # The start (with the outbox read of the helper, which writes nothing), then the exchange.
    for writes in (start, statements):
        assert writes.count("BEGIN IMMEDIATE") == 1
        assert writes.count("COMMIT") == 1
        recorded = [i for i, s in enumerate(writes) if s.startswith("INSERT INTO inspector_events")]
        assert len(recorded) == 1
        assert recorded[0] < writes.index("COMMIT")


def test_a_request_s_writes_are_seen_by_others_only_once_it_ends(tmp_path):
    storage = Storage(tmp_path / "tenant.sqlite3")
    storage.begin_request()
    with storage.transaction() as db:
        put(db, "first")
    with storage.transaction() as db:
        put(db, "second")
    assert stored(storage.path, "first") == []
    storage.end_request()
    assert stored(storage.path, "first") == ["x"]
    assert stored(storage.path, "second") == ["x"]


def test_a_failing_block_is_undone_alone_and_the_rest_of_the_request_commits(tmp_path):
    storage = Storage(tmp_path / "tenant.sqlite3")
    storage.begin_request()
    # The first block begins the request's transaction, a later one runs in a savepoint:
    # either, failing, is undone alone.
    for key in ("first undone", "kept", "later undone"):
        with pytest.raises(ValueError) if "undone" in key else nullcontext():
            with storage.transaction() as db:
                put(db, key)
                if "undone" in key:
                    raise ValueError("the block fails half-way")
    storage.end_request()
    assert stored(storage.path, "kept") == ["x"]
    assert stored(storage.path, "first undone") == []
    assert stored(storage.path, "later undone") == []


def test_an_optional_write_in_a_request_that_wrote_nothing_commits_at_once(tmp_path):
    storage = Storage(tmp_path / "tenant.sqlite3")
    storage.begin_request()
    with storage.transaction(optional=True) as db:
        put(db, "record")
    assert stored(storage.path, "record") == ["x"]
    storage.end_request()


def test_a_request_that_ends_without_its_commit_keeps_nothing_and_frees_the_lock(tmp_path):
    storage = Storage(tmp_path / "tenant.sqlite3", busy_timeout=2)
    storage.begin_request()
    with storage.transaction() as db:
        put(db, "lost")
    storage.release()  # the request's teardown, when its answer failed before the commit
    assert stored(storage.path, "lost") == []
    done = threading.Event()

    def write_from_another_thread() -> None:
        """Write as the next request's thread would."""
        with storage.transaction() as db:
            put(db, "next")
        storage.release()
        done.set()

    thread = threading.Thread(target=write_from_another_thread)
    thread.start()
    thread.join(timeout=10)
    assert done.is_set()
    assert stored(storage.path, "next") == ["x"]


def test_what_waits_for_the_commit_runs_after_it_and_never_for_undone_writes(tmp_path):
    storage = Storage(tmp_path / "tenant.sqlite3")
    ran: list[str] = []
    storage.begin_request()
    storage.after_commit(lambda: ran.append("nothing written yet: at once"))
    with storage.transaction() as db:
        put(db, "code")
    storage.after_commit(lambda: ran.append("after the commit"))
    assert ran == ["nothing written yet: at once"]
    storage.end_request()
    assert ran == ["nothing written yet: at once", "after the commit"]
    storage.begin_request()
    with storage.transaction() as db:
        put(db, "undone")
    storage.after_commit(lambda: ran.append("never"))
    storage.release()
    assert "never" not in ran
