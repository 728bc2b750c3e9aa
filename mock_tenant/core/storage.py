"""SQLite storage for the tenant: one file, WAL mode, one short transaction per state change."""

from __future__ import annotations

import collections
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("mock_tenant.storage")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_keys (
    kid TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER              -- set when a newer key took over signing
);
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,       -- "email|<24 hex>" or "sms|<24 hex>"
    connection TEXT NOT NULL,
    identifier TEXT NOT NULL,       -- the email address or the E.164 phone number
    profile TEXT NOT NULL,          -- JSON: extra claims (given_name, ...)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (connection, identifier)
);
-- What the Management API keeps on a user beyond its token claims (Auth0's user fields).
CREATE TABLE IF NOT EXISTS user_attributes (
    user_id TEXT PRIMARY KEY,
    verified INTEGER,               -- email_verified or phone_verified; NULL: true (logged in)
    user_metadata TEXT NOT NULL DEFAULT '{}',
    app_metadata TEXT NOT NULL DEFAULT '{}'
);
-- One row per identifier: a new code replaces the old one, so only the newest is valid.
CREATE TABLE IF NOT EXISTS otp_codes (
    connection TEXT NOT NULL,
    identifier TEXT NOT NULL,
    client_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,        -- HMAC-SHA256 with the tenant secret, never the code
    send TEXT NOT NULL,             -- "code" or "link"
    transaction_id TEXT,            -- the Universal Login transaction that asked, if any
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection, identifier)
);
CREATE TABLE IF NOT EXISTS identifier_state (
    connection TEXT NOT NULL,
    identifier TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,     -- wrong codes in a row, across codes
    locked_until INTEGER NOT NULL DEFAULT 0,
    last_sent_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection, identifier)
);
CREATE TABLE IF NOT EXISTS rate_limits (
    bucket TEXT PRIMARY KEY,        -- e.g. "start:ip:127.0.0.1"
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL
);
-- A grant is one login's right to tokens: codes, access and refresh tokens point to it,
-- so revoking the grant revokes everything that login issued.
CREATE TABLE IF NOT EXISTS grants (
    grant_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    audience TEXT,
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS authorization_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (grant_id),
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    nonce TEXT,
    sid TEXT,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY,    -- SHA-256 of the token (opaque or JWT)
    grant_id TEXT NOT NULL REFERENCES grants (grant_id),
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (grant_id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER              -- set when it was exchanged for a newer token
);
-- Per refresh token family (grant): the token whose exchange minted the live one. Auth0's
-- reuse interval lets only that token be exchanged again.
CREATE TABLE IF NOT EXISTS refresh_previous (
    grant_id TEXT PRIMARY KEY REFERENCES grants (grant_id),
    token_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens (grant_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,          -- "email" or "sms"
    recipient TEXT NOT NULL,
    subject TEXT,
    text TEXT NOT NULL,
    code TEXT,                      -- shown in the dev outbox, as a mailbox would show it
    link TEXT,
    sent_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_recipient ON outbox (recipient);
-- A Universal Login transaction: one /authorize request on its way through the pages.
CREATE TABLE IF NOT EXISTS login_transactions (
    state TEXT PRIMARY KEY,         -- the id in /u/login/...?state=
    browser_hash TEXT NOT NULL,     -- hash of the browser cookie: only that browser may go on
    csrf_token TEXT NOT NULL,
    client_id TEXT NOT NULL,
    params TEXT NOT NULL,           -- JSON: the validated /authorize parameters
    connection TEXT,                -- chosen on the identifier page
    identifier TEXT,
    send TEXT,                      -- "code" or "link"
    user_id TEXT,                   -- set once the code or link was verified
    auth_time INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    completed_at INTEGER            -- set when /authorize/resume issued the code (once)
);
-- A login ticket from /co/authenticate (embedded login): good once, at /authorize, for the
-- client that asked and the browser that holds its co_verifier.
CREATE TABLE IF NOT EXISTS login_tickets (
    ticket_hash TEXT PRIMARY KEY,   -- hash of the login_ticket
    co_id TEXT NOT NULL,
    verifier_hash TEXT NOT NULL,    -- hash of the co_verifier
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
-- The tenant's own login session (single sign-on), kept in the browser as a cookie.
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,  -- hash of the cookie value
    sid TEXT NOT NULL,              -- the public session id, the `sid` claim
    user_id TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
-- Consent a user gave an application for an API's scopes (Auth0's "user grant").
CREATE TABLE IF NOT EXISTS consents (
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    audience TEXT NOT NULL,         -- the API identifier, "" when no API was asked for
    scope TEXT NOT NULL,            -- every scope consented to so far, space-separated
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id, audience)
);
-- The flow inspector (dev/inspector.py, stored by core/timeline.py): logins, their events,
-- and the handles that link them.
CREATE TABLE IF NOT EXISTS inspector_logins (
    login_id TEXT PRIMARY KEY,
    client_id TEXT,
    identifier TEXT,
    user_id TEXT,
    started_at INTEGER NOT NULL,     -- real time, not the dev clock: logins are listed by it
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS inspector_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL              -- JSON, redacted (see dev/inspector.py)
);
CREATE INDEX IF NOT EXISTS inspector_events_login ON inspector_events (login_id);
CREATE TABLE IF NOT EXISTS inspector_handles (
    handle TEXT PRIMARY KEY,        -- kind + ":" + SHA-256 of a state, code, token or identifier
    login_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS injected_errors (
    endpoint TEXT PRIMARY KEY,      -- a path such as "/oauth/token"
    status INTEGER NOT NULL,
    error TEXT NOT NULL,
    error_description TEXT NOT NULL
);
"""

# Tables emptied by the dev API's reset; signing keys and the tenant secret stay, so that
# clients holding the JWKS keep working.
RESETTABLE_TABLES = (
    "users",
    "user_attributes",
    "otp_codes",
    "identifier_state",
    "rate_limits",
    "authorization_codes",
    "access_tokens",
    "refresh_previous",
    "refresh_tokens",
    "grants",
    "outbox",
    "injected_errors",
    "login_transactions",
    "login_tickets",
    "sessions",
    "consents",
    "inspector_logins",
    "inspector_events",
    "inspector_handles",
)


class UnsafeDataDirectory(Exception):
    """The data directory could let another user of this machine read or swap the tenant's keys."""


class StorageBusy(Exception):
    """The database stayed locked past the busy timeout; the caller should answer 503."""


class StorageUnavailable(StorageBusy):
    """The disk refused the database (full, read-only, I/O error, damaged file): answer 503.

    A subclass of StorageBusy so that every handler of a locked database fails closed the
    same way: 503 `temporarily_unavailable` with Retry-After, and nothing issued
    (docs/security.md rule 18; RFC 6749 4.1.2.1 defines `temporarily_unavailable` for a
    server "currently unable to handle the request").
    """


# SQLite's primary result codes (https://www.sqlite.org/rescode.html) for a database that
# cannot be used right now; other errors (constraints, SQL mistakes) are bugs and stay 500.
BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
UNAVAILABLE_CODES = {
    7,  # SQLITE_NOMEM
    8,  # SQLITE_READONLY: a read-only file, directory or filesystem
    10,  # SQLITE_IOERR: a write the operating system refused (EFBIG, EIO, ...)
    11,  # SQLITE_CORRUPT
    13,  # SQLITE_FULL: the disk (or the file-size limit) is full
    14,  # SQLITE_CANTOPEN
    15,  # SQLITE_PROTOCOL
    26,  # SQLITE_NOTADB
}


class Storage:
    """A tenant's SQLite file, with one connection per thread at a time, reused across threads."""

    def __init__(self, path: Path, busy_timeout: float = 5.0):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        # Connections a finished request gave back (with the file they opened), for the next
        # thread. The threaded server starts a thread per connection, and opening SQLite costs
        # more than a short request (the schema is parsed again on a new connection's first
        # statement: about 0.6 ms, three times a login). deque's append and pop are atomic.
        self._idle: collections.deque[tuple[sqlite3.Connection, tuple[int, int]]] = (
            collections.deque()
        )
        # One writer at a time inside this process, queued on a lock that wakes the next
        # thread the moment the last one commits. Without it, threads that find SQLite's
        # write lock taken sleep in SQLite's busy handler, whose naps grow to 100 ms
        # (sqliteDefaultBusyCallback, https://www.sqlite.org/c3ref/busy_timeout.html), and
        # a login's latency becomes those naps. Other processes still meet SQLite's lock.
        self._write_lock = threading.RLock()
        # What is wrong with the database file right now ("missing", "read-only"), logged
        # once when it starts and once when it ends.
        self._problems: set[str] = set()
        secure_data_directory(self.path)
        try:
            # executescript commits as it goes; every statement is IF NOT EXISTS, so two
            # processes creating the schema at once is harmless.
            self.connection().executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise _busy_or_raise(error) from error

    def connection(self) -> sqlite3.Connection:
        """Return this thread's connection, opening it on first use or when the file changed.

        An open connection keeps writing to a database file that was deleted or replaced
        (the old inode), so every use checks that the path is still the same file: a file
        gone fails closed (503) until it comes back, and a file put back is opened afresh.

        Raises:
            StorageUnavailable: the database file is missing.
        """
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self._report(
                "missing",
                f"The database file {self.path} is missing; answering 503 until it is back.",
            )
            raise StorageUnavailable(f"{self.path} is missing") from None
        self._report("missing", None)
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._borrow()
        # A connection holding the request's transaction stays until the request ends.
        keep = db is not None and getattr(self._local, "held", None) is db
        if db is not None and not keep and self._local.inode != (info.st_dev, info.st_ino):
            self._local.db = None
            db.close()
            db = None
        if db is None:
            # isolation_level=None: we open transactions ourselves with BEGIN IMMEDIATE,
            # so that a writer takes the lock up front instead of failing half-way.
            # check_same_thread=False: a connection moves to another thread only through
            # release() and _borrow(), so one thread at a time ever uses it.
            try:
                db = sqlite3.connect(
                    self.path,
                    timeout=self.busy_timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA foreign_keys=ON")
                # A file put back empty gets its tables again (every statement IF NOT EXISTS).
                db.executescript(SCHEMA)
            except sqlite3.DatabaseError as error:
                raise _busy_or_raise(error) from error
            self._local.db, self._local.inode = db, (info.st_dev, info.st_ino)
        return db

    def _borrow(self) -> sqlite3.Connection | None:
        """Make a connection a finished request gave back this thread's, if there is one."""
        try:
            db, self._local.inode = self._idle.pop()
        except IndexError:
            return None
        self._local.db = db
        return db

    def release(self) -> None:
        """Give this thread's connection back for the next request (the web side calls it last)."""
        self._local.scoped, self._local.after_commit = False, []
        # Set only if the request ended without end_request (its answer failed).
        held, self._local.held = getattr(self._local, "held", None), None
        db, self._local.db = getattr(self._local, "db", None), None
        try:
            if db is not None and db.in_transaction:
                # Never the case after a `transaction()` block or end_request; a connection
                # in an unknown state is closed (which rolls back) rather than handed on.
                db.close()
            elif db is not None:
                self._idle.append((db, self._local.inode))
        finally:
            if held is not None:
                self._write_lock.release()

    def _report(self, kind: str, problem: str | None) -> None:
        """Log once when the database file becomes unusable (`kind`), and once when it is back."""
        if problem is not None and kind not in self._problems:
            log.error(problem)
            self._problems.add(kind)
        elif problem is None and kind in self._problems:
            log.warning("The database file %s is usable again (%s).", self.path, kind)
            self._problems.discard(kind)

    @contextmanager
    def transaction(self, *, optional: bool = False) -> Iterator[sqlite3.Connection]:
        """Run a block as one atomic write transaction: all of it commits, or none of it.

        Inside a request (`begin_request`), the block joins the request's one transaction,
        which `end_request` commits: the block is still undone alone if it fails.

        Args:
            optional: a write the request's answer does not depend on (the inspector's
                record): it joins the request's transaction if one is open, and otherwise
                commits alone, so that its failure never fails a request that wrote nothing.
        """
        held = getattr(self._local, "held", None)
        if held is not None:
            yield from self._write(held, part=True)
            return
        db = self.connection()
        # A file made read-only under a running tenant: the connection opened for writing
        # would go on writing to it, so check before each transaction begins (fail closed,
        # 503). The mode bit counts even for root, whom os.access always lets write.
        try:
            writable = os.stat(self.path).st_mode & stat.S_IWUSR and os.access(self.path, os.W_OK)
        except OSError:
            writable = False
        if not writable:
            self._report(
                "read-only",
                f"The database file {self.path} is read-only or gone; answering 503 until it "
                "is writable.",
            )
            raise StorageUnavailable(f"{self.path} is not writable")
        self._report("read-only", None)
        if not self._write_lock.acquire(timeout=self.busy_timeout):
            raise StorageBusy("another thread held the write lock past the busy timeout")
        if getattr(self._local, "scoped", False) and not optional:
            # The request's first write: the transaction and the lock stay until end_request.
            self._local.held = db
            yield from self._write(db, part=True)
            return
        try:
            yield from self._write(db)
        finally:
            self._write_lock.release()

    # One transaction per request: the flow inspector records an exchange once its answer
    # is built, and its write joins the exchange's own instead of being a second durable
    # write (issue 16; measured in bench/README.md, "One write transaction per request").
    # What a block promised stays: one that fails is undone alone, and the answer goes out
    # only after the commit (mock_tenant/__init__.py: _commit).

    def begin_request(self) -> None:
        """Make this thread's write blocks, until `end_request`, parts of one transaction."""
        self._local.scoped, self._local.after_commit = True, []

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action`, called after a write block, once that write is committed.

        Now, outside a request (the block has committed); in one, after end_request's commit,
        and never if it fails. For what must not happen for undone writes (an email's code).
        """
        if getattr(self._local, "held", None) is None:
            action()
        else:
            self._local.after_commit.append(action)

    def end_request(self) -> None:
        """Commit the request's transaction, if a block opened one, and release the lock.

        Raises:
            StorageBusy: the commit failed (StorageUnavailable for a disk error); nothing of
                the request is kept.
        """
        self._local.scoped = False
        db = getattr(self._local, "held", None)
        if db is None:
            return
        self._local.held = None
        actions, self._local.after_commit = self._local.after_commit, []
        try:
            if db.in_transaction:
                db.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            self._rollback(db)
            raise _busy_or_raise(error) from error
        finally:
            self._write_lock.release()
        for action in actions:
            action()

    def _write(self, db: sqlite3.Connection, part: bool = False) -> Iterator[sqlite3.Connection]:
        """Open SQLite's write transaction, yield to the block, then commit or roll back.

        With `part`, the block is part of the request's transaction, which end_request
        commits: the first block begins it (undone, it takes the whole transaction, which
        holds nothing else); a later one runs in a savepoint, released into it or undone alone.
        """
        first = not db.in_transaction
        savepoint = part and not first
        try:
            if first:
                # Also a later block's after SQLite rolled back a disk error: begin again.
                db.execute("BEGIN IMMEDIATE")
            if savepoint:
                db.execute("SAVEPOINT block")
        except sqlite3.DatabaseError as error:
            raise _busy_or_raise(error) from error
        try:
            yield db
        except BaseException as error:
            self._undo(db, savepoint)
            # A write the disk refused (full, read-only, I/O error) inside the block.
            if isinstance(error, sqlite3.DatabaseError):
                raise _busy_or_raise(error) from error
            raise
        if part and not savepoint:
            return
        try:
            db.execute("RELEASE block" if savepoint else "COMMIT")
        except sqlite3.DatabaseError as error:
            self._rollback(db)
            raise _busy_or_raise(error) from error

    def _undo(self, db: sqlite3.Connection, savepoint: bool) -> None:
        """Undo a failed block: back to its savepoint, or the whole transaction."""
        if savepoint and db.in_transaction:
            try:
                db.execute("ROLLBACK TO block")
                db.execute("RELEASE block")
                return
            except sqlite3.DatabaseError:
                pass
        self._rollback(db)

    def _rollback(self, db: sqlite3.Connection) -> None:
        """Undo the open transaction, unless SQLite already has.

        After SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM SQLite may have rolled
        the transaction back itself (https://www.sqlite.org/lang_transaction.html, "Response
        To Errors Within A Transaction"); a ROLLBACK then fails with "no transaction is
        active" and would hide the real error.
        """
        if not db.in_transaction:
            return
        try:
            db.execute("ROLLBACK")
        except sqlite3.DatabaseError:
            # A connection that cannot roll back is in an unknown state: drop it (closing
            # it rolls back) and let the next request of this thread open a new one.
            self._local.db = None
            db.close()

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Run a read-only query outside any write transaction."""
        try:
            return self.connection().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as error:
            raise _busy_or_raise(error) from error

    def query_one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        """Run a read-only query and return its first row, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def reset(self) -> None:
        """Empty every table except signing keys and tenant secrets (dev API)."""
        with self.transaction() as db:
            for table in RESETTABLE_TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
            db.execute("DELETE FROM meta WHERE key = 'clock'")


# The times the dev clock ages (core/clock.py): every stored time a rule compares with now.
# Left out on purpose: outbox.sent_at and the inspector's times, records of when something
# happened that pages show as wall-clock times, and no rule reads.
AGED_COLUMNS = {
    "signing_keys": ("created_at", "retired_at"),
    "users": ("created_at", "updated_at"),
    "otp_codes": ("created_at", "expires_at"),
    "identifier_state": ("locked_until", "last_sent_at"),
    "rate_limits": ("window_start",),
    "grants": ("auth_time", "created_at", "revoked_at"),
    "authorization_codes": ("expires_at", "used_at"),
    "access_tokens": ("expires_at",),
    "refresh_tokens": ("created_at", "expires_at", "rotated_at"),
    "login_transactions": ("auth_time", "created_at", "expires_at", "completed_at"),
    "sessions": ("auth_time", "expires_at"),
    "consents": ("granted_at",),
    "login_tickets": ("auth_time", "expires_at", "used_at"),
}


def age_stored_state(db, seconds: int) -> None:
    """Make every stored time `seconds` older, inside the caller's transaction."""
    for table, columns in AGED_COLUMNS.items():
        # 0 means "never" (no lockout, nothing sent) and NULL "not yet": both stay.
        sets = ", ".join(
            f"{column} = CASE WHEN {column} > 0 THEN {column} - :seconds ELSE {column} END"
            for column in columns
        )
        db.execute(f"UPDATE {table} SET {sets}", {"seconds": seconds})  # noqa: S608 (fixed names)


def secure_data_directory(database: Path) -> None:
    """Create the database's directory and file for this user only (0700, 0600), or refuse.

    The file holds the signing keys and the secret codes are hashed with: whoever reads it
    can mint tokens the apps accept. A directory created here is 0700 and the database 0600;
    SQLite gives its `-wal` and `-shm` files the database's permissions. A directory that
    another user could write to (or that belongs to another user) is refused: they could
    swap the database for their own.
    https://www.sqlite.org/tempfiles.html (the WAL and shared-memory files);
    https://cwe.mitre.org/data/definitions/732.html (incorrect permissions on a resource).

    Raises:
        UnsafeDataDirectory: the directory is not this user's alone to write.
    """
    folder = database.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeDataDirectory(
            f"The data directory {folder} can be written by other users of this machine, "
            f"who could replace the tenant's signing keys. Use a directory of your own, or "
            f"run: chmod 700 {folder}"
        )
    # Tighten what an older version (or a umask of 022) left readable by others.
    folder.chmod(0o700)
    os.close(os.open(database, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (database.name, database.name + "-wal", database.name + "-shm"):
        part = folder / name
        if part.exists():
            part.chmod(0o600)


def _busy_or_raise(error: sqlite3.DatabaseError) -> Exception:
    """Turn SQLite's lock errors into StorageBusy, disk errors into StorageUnavailable.

    Other errors (a constraint, a mistake in SQL) are left as they are: bugs give 500.
    """
    message = str(error)
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    if primary in BUSY_CODES or "locked" in message or "busy" in message:
        return StorageBusy(message)
    if primary in UNAVAILABLE_CODES:
        return StorageUnavailable(message)
    return error
