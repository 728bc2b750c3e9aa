"""Passwordless users: ids, profiles and the claims Auth0 puts in tokens for them."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import urllib.parse

# Claims the tenant sets itself; a profile may not override them.
RESERVED_CLAIMS = frozenset(
    "sub iss aud azp exp iat nbf jti nonce sid auth_time scope permissions "
    "email email_verified phone_number phone_verified updated_at".split()
)


def user_id(secret: bytes, connection: str, identifier: str) -> str:
    """Return the stable user id for an identifier: `email|<24 hex>` or `sms|<24 hex>`."""
    # Derived, not stored first, so /passwordless/start can answer the same `_id` for
    # people who have an account and people who do not yet (no account enumeration).
    digest = hmac.new(secret, f"{connection}:{identifier}".encode(), hashlib.sha256)
    return f"{connection}|{digest.hexdigest()[:24]}"


def find_or_create(db, *, secret: bytes, connection: str, identifier: str, now: int) -> dict:
    """Return the user for an identifier, creating it at its first successful login."""
    uid = user_id(secret, connection, identifier)
    db.execute(
        "INSERT INTO users (user_id, connection, identifier, profile, created_at, updated_at) "
        "VALUES (?, ?, ?, '{}', ?, ?) ON CONFLICT DO NOTHING",
        (uid, connection, identifier, now, now),
    )
    return get(db, uid)


def exists(db, connection: str, identifier: str) -> bool:
    """Tell whether an identifier already belongs to a user."""
    row = db.execute(
        "SELECT 1 FROM users WHERE connection = ? AND identifier = ?", (connection, identifier)
    ).fetchone()
    return row is not None


def get(db, uid: str) -> dict | None:
    """Return a user row as a dict, or None."""
    row = db.execute("SELECT * FROM users WHERE user_id = ?", (uid,)).fetchone()
    return dict(row) if row else None


def claims(user: dict, scope: set[str]) -> dict:
    """Return the profile claims Auth0 sets for a passwordless user, filtered by scope."""
    # https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims
    identifier, is_email = user["identifier"], user["connection"] == "email"
    profile = json.loads(user["profile"])
    out: dict = {}
    if "profile" in scope:
        out.update(
            nickname=identifier.split("@")[0] if is_email else identifier,
            name=identifier,
            picture=_picture(identifier),
            updated_at=datetime.datetime.fromtimestamp(user["updated_at"], datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        )
        out.update(profile)
    if is_email and "email" in scope:
        out.update(email=identifier, email_verified=True)
    if not is_email and ("phone" in scope or "profile" in scope):
        out.update(phone_number=identifier, phone_verified=True)
    return out


def _picture(identifier: str) -> str:
    """Return a Gravatar URL with Auth0's initials avatar as the fallback, as Auth0 does."""
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()
    initials = "".join(ch for ch in identifier[:2].lower() if ch.isalnum()) or "xx"
    fallback = f"https://cdn.auth0.com/avatars/{initials}.png"
    return f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg&d={urllib.parse.quote(fallback)}"
