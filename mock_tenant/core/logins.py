"""Login transactions and the tenant's SSO session: the state Universal Login keeps per browser.

A browser gets a random cookie; the database stores only its hash. A transaction (one
/authorize on its way through the pages) and a session (single sign-on) both belong to a
browser, so a link or page opened anywhere else can do nothing with them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from .tenant import Tenant

BROWSER_COOKIE = "tenant_browser"
SESSION_COOKIE = "tenant_session"
# How long a person has to finish a login once /authorize started it.
TRANSACTION_LIFETIME = 3600
# How long single sign-on lasts (Auth0's default inactivity timeout is 3 days).
SESSION_LIFETIME = 3 * 24 * 3600


def digest(value: str) -> str:
    """Return the SHA-256 a cookie value is stored under."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    """Return a fresh random cookie value (256 bits)."""
    return secrets.token_urlsafe(32)


def create(db, tenant: Tenant, *, browser_key: str, client_id: str, params: dict) -> str:
    """Start a login transaction for a browser and return its id (the pages' `state`)."""
    now = tenant.clock.now()
    state = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO login_transactions (state, browser_hash, csrf_token, client_id, params, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            state,
            digest(browser_key),
            secrets.token_urlsafe(24),
            client_id,
            json.dumps(params),
            now,
            now + TRANSACTION_LIFETIME,
        ),
    )
    return state


def load(db, tenant: Tenant, state: str | None, browser_key: str | None) -> dict | None:
    """Return a live, unfinished transaction if this browser owns it, else None."""
    if not state or not browser_key or len(state) > 64:
        return None
    row = db.execute("SELECT * FROM login_transactions WHERE state = ?", (state,)).fetchone()
    if row is None or row["expires_at"] <= tenant.clock.now() or row["completed_at"]:
        return None
    if not hmac.compare_digest(row["browser_hash"], digest(browser_key)):
        return None
    transaction = dict(row)
    transaction["params"] = json.loads(row["params"])
    return transaction


def update(db, state: str, **fields) -> None:
    """Set some columns of a transaction."""
    columns = ", ".join(f"{name} = ?" for name in fields)
    db.execute(
        f"UPDATE login_transactions SET {columns} WHERE state = ?",  # noqa: S608 (our names)
        (*fields.values(), state),
    )


def complete(db, tenant: Tenant, state: str) -> bool:
    """Mark a verified transaction finished; True only the first time (single use)."""
    return bool(
        db.execute(
            "UPDATE login_transactions SET completed_at = ? WHERE state = ? "
            "AND completed_at IS NULL AND user_id IS NOT NULL",
            (tenant.clock.now(), state),
        ).rowcount
    )


def start_session(db, tenant: Tenant, *, user_id: str, auth_time: int) -> tuple[str, str]:
    """Open an SSO session and return (cookie value, public sid)."""
    cookie, sid = new_secret(), secrets.token_urlsafe(16)
    db.execute(
        "INSERT INTO sessions (session_hash, sid, user_id, auth_time, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (digest(cookie), sid, user_id, auth_time, tenant.clock.now() + SESSION_LIFETIME),
    )
    return cookie, sid


def find_session(db, tenant: Tenant, cookie: str | None) -> dict | None:
    """Return the live SSO session a cookie stands for, or None."""
    if not cookie:
        return None
    row = db.execute(
        "SELECT s.* FROM sessions s JOIN users u USING (user_id) "
        "WHERE s.session_hash = ? AND s.expires_at > ?",
        (digest(cookie), tenant.clock.now()),
    ).fetchone()
    return dict(row) if row else None


def end_session(db, cookie: str | None) -> None:
    """Forget an SSO session."""
    if cookie:
        db.execute("DELETE FROM sessions WHERE session_hash = ?", (digest(cookie),))
