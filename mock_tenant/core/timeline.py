"""The flow inspector's storage: logins, their recorded exchanges, and the handles that link them.

The inspector (`dev/inspector.py`) decides what an exchange looks like and what it presents
or hands out; this module only stores and reads it. A handle is the hash of something an
exchange carries (a transaction state, a code, a token, an identifier): a later exchange
presenting the same handle joins the same login.
"""

from __future__ import annotations

import json
import secrets
import time

# How many events the inspector keeps: older ones are pruned, and with them the logins left
# without an event and those logins' handles, so the tables stay bounded however long the
# tenant runs.
KEEP_EVENTS = 2000
# Pruning runs when an event's id is a multiple of this.
PRUNE_EVERY = 100


def record(
    tenant,
    event: dict,
    *,
    presented: set[str],
    handed_out: set[str],
    new_login: bool,
    client_id: str | None,
    identifier: str | None,
    user_id: str | None,
) -> None:
    """Store one exchange under the login its handles belong to (or a new login)."""
    # Everything that needs no stored state is made before the write, outside its lock.
    now = tenant.clock.now()
    # Logins are ordered by real time: while the dev clock is stopped, tenant time stands
    # still and would not tell the logins made meanwhile apart.
    real = int(time.time())
    data = json.dumps(event)
    # Part of the exchange's own transaction when it wrote something (one durable write per
    # exchange, issue 16); alone after a read, whose answer a failed record must not change.
    with tenant.storage.transaction(optional=True) as db:
        login_id = None if new_login else _find_login(db, presented)
        # A handle handed on from an earlier login (the SSO session a login reused) says who
        # this login is for, before any token names them; asked only when this exchange
        # names nobody itself.
        earlier = None
        if identifier is None and user_id is None:
            earlier = _find_login(db, handed_out - presented)
        if earlier is not None:
            row = db.execute(
                "SELECT identifier, user_id FROM inspector_logins WHERE login_id = ?", (earlier,)
            ).fetchone()
            identifier, user_id = row["identifier"], row["user_id"]
        if login_id is None:
            login_id = secrets.token_urlsafe(9)
            db.execute(
                "INSERT INTO inspector_logins "
                "(login_id, client_id, identifier, user_id, started_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (login_id, client_id, identifier, user_id, real, real),
            )
        else:
            db.execute(
                "UPDATE inspector_logins SET updated_at = ?, "
                "client_id = COALESCE(client_id, ?), identifier = COALESCE(?, identifier), "
                "user_id = COALESCE(?, user_id) WHERE login_id = ?",
                (real, client_id, identifier, user_id, login_id),
            )
        # A handle already linked to this login is left as it is: REPLACE would delete and
        # insert its row again, rewriting pages for nothing (a token exchange wrote 26.9
        # pages to the WAL with it, 24.6 without; bench/README.md).
        db.executemany(
            "INSERT INTO inspector_handles (handle, login_id) VALUES (?, ?) "
            "ON CONFLICT (handle) DO UPDATE SET login_id = excluded.login_id "
            "WHERE login_id != excluded.login_id",
            [(handle, login_id) for handle in handed_out | presented],
        )
        cursor = db.execute(
            "INSERT INTO inspector_events (login_id, at, data) VALUES (?, ?, ?)",
            (login_id, now, data),
        )
        if cursor.lastrowid % PRUNE_EVERY == 0:
            _prune(db, cursor.lastrowid - KEEP_EVENTS)


def _prune(db, last_dropped: int) -> None:
    """Drop the events up to `last_dropped`, then the logins left without one and their handles."""
    # Every hundredth event only: the two scans of the login and handle tables cost some
    # milliseconds, and in between each table holds at most a hundred logins more.
    db.execute("DELETE FROM inspector_events WHERE id <= ?", (last_dropped,))
    db.execute(
        "DELETE FROM inspector_logins WHERE login_id NOT IN (SELECT login_id FROM inspector_events)"
    )
    db.execute(
        "DELETE FROM inspector_handles "
        "WHERE login_id NOT IN (SELECT login_id FROM inspector_logins)"
    )


def _find_login(db, handles: set[str]) -> str | None:
    """Return the login any of these handles already belongs to."""
    if not handles:
        return None
    # One statement for all of them: the handles travel as one JSON array parameter.
    row = db.execute(
        "SELECT login_id FROM inspector_handles "
        "WHERE handle IN (SELECT value FROM json_each(?)) LIMIT 1",
        (json.dumps(sorted(handles)),),
    ).fetchone()
    return row["login_id"] if row else None


def timelines(
    tenant, client_id: str | None = None, user: str | None = None, limit: int = 50
) -> list[dict]:
    """Return the logins last active in real time first, with their events, optionally filtered."""
    where, args = [], []
    if client_id:
        where.append("client_id = ?")
        args.append(client_id)
    if user:
        where.append("(identifier = ? OR user_id = ?)")
        args += [user.strip().lower(), user.strip()]
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    logins = tenant.storage.query(
        f"SELECT * FROM inspector_logins {clause} "  # noqa: S608 (fixed text, bound values)
        "ORDER BY updated_at DESC, rowid DESC LIMIT ?",
        (*args, limit),
    )
    out = []
    for login in logins:
        events = tenant.storage.query(
            "SELECT id, at, data FROM inspector_events WHERE login_id = ? ORDER BY id",
            (login["login_id"],),
        )
        out.append(
            {
                **dict(login),
                "events": [{"id": e["id"], "at": e["at"], **json.loads(e["data"])} for e in events],
            }
        )
    return [login for login in out if login["events"]]
