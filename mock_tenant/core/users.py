"""Passwordless users: ids, profiles, the claims Auth0 puts in tokens for them, and their rows."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
import urllib.parse

from ..config import ConfigError
from . import events
from .identifiers import IdentifierError, normalize

# Claims the tenant sets itself; a profile may not override them.
RESERVED_CLAIMS = frozenset(
    "sub iss aud azp exp iat nbf jti nonce sid auth_time scope permissions "
    "email email_verified phone_number phone_verified updated_at".split()
)


class ClaimsError(ValueError):
    """Profile claims that cannot be stored, with a reason a developer can act on."""


def user_id(secret: bytes, connection: str, identifier: str) -> str:
    """Return the stable user id for an identifier: `email|<24 hex>` or `sms|<24 hex>`."""
    # Derived, not stored first, so /passwordless/start can answer the same `_id` for
    # people who have an account and people who do not yet (no account enumeration).
    digest = hmac.new(secret, f"{connection}:{identifier}".encode(), hashlib.sha256)
    return f"{connection}|{digest.hexdigest()[:24]}"


def find_or_create(db, *, secret: bytes, connection: str, identifier: str, now: int) -> dict:
    """Return the user for an identifier, creating it at its first successful login.

    Runs inside the caller's transaction; announces `user_created` for a new user (a
    listener runs before the transaction commits, so it must only take note).
    """
    # By identifier, not by the derived id: the Management API may have given an existing
    # user a new address, and that user keeps its id (then the derived id may be taken too,
    # and a new user gets a random one).
    user = find_by_identifier(db, connection, identifier)
    if user is not None:
        return user
    insert = (
        "INSERT INTO users (user_id, connection, identifier, profile, created_at, updated_at) "
        "VALUES (?, ?, ?, '{}', ?, ?) "
    )
    derived = (user_id(secret, connection, identifier), connection, identifier, now, now)
    # fetchall: a RETURNING statement left unfinished would keep the commit from going through.
    rows = db.execute(insert + "ON CONFLICT (user_id) DO NOTHING RETURNING *", derived).fetchall()
    if not rows:
        # Another user holds the derived id: the new one gets a random id.
        random_id = f"{connection}|{secrets.token_hex(12)}"
        rows = db.execute(
            insert + "RETURNING *", (random_id, connection, identifier, now, now)
        ).fetchall()
    events.user_created.send(user_id=rows[0]["user_id"], connection=connection)
    return dict(rows[0])


def find_by_identifier(db, connection: str, identifier: str) -> dict | None:
    """Return the user with this identifier on this connection, or None."""
    select = "SELECT * FROM users WHERE connection = ? AND identifier = ?"
    row = db.execute(select, (connection, identifier)).fetchone()
    return dict(row) if row is not None else None


def mark_verified(db, uid: str) -> None:
    """Record that a user proved their address or number by a code or link (inside a write)."""
    # A right code proves the address: Auth0 reports passwordless users as verified once
    # they have logged in (`email_verified: true` in go-auth0's TestSendEmail recording).
    # Only users the Management API made unverified have a row to change.
    db.execute("UPDATE user_attributes SET verified = 1 WHERE user_id = ? AND verified = 0", (uid,))


def exists(db, connection: str, identifier: str) -> bool:
    """Tell whether an identifier already belongs to a user."""
    return find_by_identifier(db, connection, identifier) is not None


def get(db, uid: str) -> dict | None:
    """Return a user row as a dict, or None."""
    row = db.execute("SELECT * FROM users WHERE user_id = ?", (uid,)).fetchone()
    return dict(row) if row else None


def find(tenant, uid: str) -> dict | None:
    """Return a user by id, outside any write transaction."""
    row = tenant.storage.query_one("SELECT * FROM users WHERE user_id = ?", (uid,))
    return dict(row) if row else None


def all_users(tenant) -> list[dict]:
    """Return every user, oldest first."""
    rows = tenant.storage.query("SELECT * FROM users ORDER BY created_at, user_id")
    return [dict(row) for row in rows]


def create(tenant, *, connection: str, identifier: str, claims: dict) -> dict:
    """Create a user (or find the existing one) and merge profile claims into it.

    Raises:
        ClaimsError: the claims are not an object of simple values, or name reserved claims.
    """
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        user = find_or_create(
            db, secret=tenant.secret, connection=connection, identifier=identifier, now=now
        )
        return set_claims(db, user, claims, now)


def update(tenant, uid: str, claims: dict) -> dict | None:
    """Merge profile claims into an existing user; None if there is no such user.

    Raises:
        ClaimsError: as for `create`.
    """
    with tenant.storage.transaction() as db:
        user = get(db, uid)
        return set_claims(db, user, claims, tenant.clock.now()) if user else None


def delete(tenant, uid: str) -> bool:
    """Delete a user and revoke every grant they hold; False if there was no such user."""
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        revoked = db.execute(
            "UPDATE grants SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL "
            "RETURNING grant_id",
            (now, uid),
        ).fetchall()
        deleted = db.execute("DELETE FROM users WHERE user_id = ?", (uid,)).rowcount
        db.execute("DELETE FROM user_attributes WHERE user_id = ?", (uid,))
    for row in revoked:
        events.grant_revoked.send(grant_id=row["grant_id"], reason="user deleted")
    return bool(deleted)


def seed(tenant) -> None:
    """Create the config file's users if they do not exist yet.

    Raises:
        ConfigError: a user's email address cannot be used (named as `users[0].email`).
    """
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        for index, person in enumerate(tenant.config.users):
            connection = "email" if person.email else "sms"
            # A restart finds every seed user stored as written (an email lower-cased), so
            # the address is checked only when it is not: checking an email imports
            # email-validator, which cost a restart 70 ms before it answered (bench/README.md:
            # restart). A stored identifier was checked when it was stored.
            written = person.email.lower() if person.email else person.phone_number
            user = find_by_identifier(db, connection, written)
            if user is None:
                try:
                    identifier = normalize(connection, person.email or person.phone_number)
                except IdentifierError as error:
                    field = "email" if person.email else "phone_number"
                    raise ConfigError(
                        f"the tenant file's users[{index}].{field}: {error}"
                    ) from None
                user = find_or_create(
                    db, secret=tenant.secret, connection=connection, identifier=identifier, now=now
                )
            claims = {k: v for k in ("given_name", "family_name") if (v := getattr(person, k))}
            set_claims(db, user, claims, now)


def set_claims(db, user: dict, claims, now: int) -> dict:
    """Merge profile claims into a user inside the caller's transaction, and return the user.

    Raises:
        ClaimsError: the claims are not an object of simple values, or name reserved claims.
    """
    if not isinstance(claims, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float | bool | None)
        for k, v in claims.items()
    ):
        raise ClaimsError("claims must be an object of simple values")
    reserved = sorted(set(claims) & RESERVED_CLAIMS)
    if reserved:
        raise ClaimsError(f"reserved claims: {', '.join(reserved)}")
    if not claims:
        return user
    profile = {**json.loads(user["profile"]), **claims}
    db.execute(
        "UPDATE users SET profile = ?, updated_at = ? WHERE user_id = ?",
        (json.dumps(profile), now, user["user_id"]),
    )
    return get(db, user["user_id"])


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
    # Auth0 hashes the address with MD5, Gravatar's original scheme: the `picture` in
    # go-auth0's test/data/recordings/authentication/TestUserInfo.yaml is the MD5 of the
    # recorded email. https://docs.gravatar.com/api/avatars/hash/
    # Not a security use: the hash only names a public avatar.
    digest = hashlib.md5(identifier.strip().lower().encode(), usedforsecurity=False).hexdigest()
    initials = "".join(ch for ch in identifier[:2].lower() if ch.isalnum()) or "xx"
    fallback = f"https://cdn.auth0.com/avatars/{initials}.png"
    return f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg&d={urllib.parse.quote(fallback)}"
