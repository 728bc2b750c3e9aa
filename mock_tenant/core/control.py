"""Errors injected through the dev API: the next answer of an endpoint replaced by an error."""

from __future__ import annotations

# Endpoints whose next answer the control API can replace with an error.
INJECTABLE = (
    "/passwordless/start",
    "/oauth/token",
    "/oauth/revoke",
    "/userinfo",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
)


def inject_error(tenant, endpoint: str, status: int, error: str, description: str) -> None:
    """Make the next answer of an endpoint this error (replacing one already waiting)."""
    with tenant.storage.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO injected_errors VALUES (?, ?, ?, ?)",
            (endpoint, status, error, description),
        )


def take_injected_error(tenant, path: str) -> dict | None:
    """Return and forget the error injected for this path, if any (one use)."""
    # Read first: almost every request finds nothing, and a read takes no write lock (WAL),
    # so ordinary requests neither queue behind writers nor fail while the file is busy.
    sql = "SELECT 1 FROM injected_errors WHERE endpoint = ?"
    if tenant.storage.query_one(sql, (path,)) is None:
        return None
    with tenant.storage.transaction() as db:
        row = db.execute("SELECT * FROM injected_errors WHERE endpoint = ?", (path,)).fetchone()
        if row is not None:
            db.execute("DELETE FROM injected_errors WHERE endpoint = ?", (path,))
    return dict(row) if row else None
