"""Grants: one login's right to tokens, and the codes and refresh tokens that draw on it.

A grant ties together what one login issued: its authorization code, access tokens and the
refresh token family. Revoking the grant revokes all of them. Each function that consumes a
credential (an authorization code, a refresh token) does it in one write transaction with
the tokens it pays for, so of two concurrent requests with the same credential one wins.
"""

from __future__ import annotations

import secrets

from ..config import Client
from . import events, minting, users
from .minting import token_hash


def new_grant(
    db, *, client_id: str, user_id: str, scope: str, audience, now: int, auth_time=None
) -> str:
    """Record a new grant (one login's right to tokens) and return its id."""
    grant_id = secrets.token_urlsafe(16)
    db.execute(
        "INSERT INTO grants (grant_id, client_id, user_id, scope, audience, auth_time, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (grant_id, client_id, user_id, scope, audience, auth_time or now, now),
    )
    return grant_id


def revoke_grant(db, grant_id: str, now: int, reason: str) -> None:
    """Revoke a grant: every access and refresh token it issued stops working."""
    db.execute(
        "UPDATE grants SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
        (now, grant_id),
    )
    events.grant_revoked.send(grant_id=grant_id, reason=reason)


# ---- authorization codes (RFC 6749 4.1) ----------------------------------------------------


def issue_authorization_code(
    db, tenant, request, *, user_id: str, auth_time: int, sid: str | None
) -> str:
    """Record a grant and a single-use authorization code for it, and return the code.

    `request` is the validated authorization request (`core.logins.AuthorizeRequest`).
    """
    grant_id = _grant_for(db, tenant, request, user_id=user_id, auth_time=auth_time)
    return _store_code(db, tenant, request, grant_id, sid)


def _grant_for(db, tenant, request, *, user_id: str, auth_time: int) -> str:
    """Record the grant an authorization request earns once its user has logged in."""
    return new_grant(
        db,
        client_id=request.client_id,
        user_id=user_id,
        scope=request.scope,
        audience=request.audience,
        now=tenant.clock.now(),
        auth_time=auth_time,
    )


def authorization_response(
    db, tenant, request, *, user_id: str, auth_time: int, sid: str | None
) -> dict:
    """Issue what /authorize answers a finished login with: a code, tokens, or both.

    Returns:
        The response's parameters, without `state` (the pages add it).
    """
    if request.response_type == "code":
        code = issue_authorization_code(
            db, tenant, request, user_id=user_id, auth_time=auth_time, sid=sid
        )
        return {"code": code}
    # https://openid.net/specs/openid-connect-core-1_0.html#ImplicitFlowAuth and
    # #HybridFlowAuth: the tokens are minted now, from the same grant as the code.
    grant_id = _grant_for(db, tenant, request, user_id=user_id, auth_time=auth_time)
    code = None
    if "code" in request.response_type.split():
        code = _store_code(db, tenant, request, grant_id, sid)
    login = minting.Login(
        client=tenant.config.client(request.client_id),
        user=users.get(db, user_id),
        scope=request.scope,
        audience=request.audience,
        grant_id=grant_id,
        auth_time=auth_time,
        nonce=request.nonce,
        sid=sid,
        allow_refresh=False,
    )
    return minting.mint_front_channel(db, tenant, login, request.response_type, code)


def _store_code(db, tenant, request, grant_id: str, sid: str | None) -> str:
    """Store a single-use authorization code for a grant and return it."""
    # https://www.rfc-editor.org/rfc/rfc6749#section-10.10: at least 128 bits, short-lived.
    code = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, nonce, "
        "sid, code_challenge, code_challenge_method, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            token_hash(code),
            grant_id,
            request.client_id,
            request.redirect_uri,
            request.nonce,
            sid,
            request.code_challenge,
            request.code_challenge_method,
            tenant.clock.now() + tenant.settings.authorization_code_lifetime,
        ),
    )
    return code


def find_authorization_code(tenant, code: str, client_id: str) -> dict | None:
    """Return an unexpired code issued to this client, used or not (reuse is caught later)."""
    row = tenant.storage.query_one(
        "SELECT c.*, g.scope, g.audience, g.user_id, g.auth_time FROM authorization_codes c "
        "JOIN grants g USING (grant_id) WHERE c.code_hash = ? AND c.client_id = ? "
        "AND c.expires_at > ?",
        (token_hash(code), client_id, tenant.clock.now()),
    )
    return dict(row) if row else None


def redeem_authorization_code(tenant, client: Client, code: dict) -> dict | None:
    """Mark a code used and mint its tokens; on a second use revoke the first use's tokens.

    Returns:
        Auth0's token response body, or None when the code had been used already.
    """
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        first_use = db.execute(
            "UPDATE authorization_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
            (now, code["code_hash"]),
        ).rowcount
        if not first_use:
            # https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2: a reused code
            # SHOULD revoke all tokens previously issued from it.
            revoke_grant(db, code["grant_id"], now, reason="authorization code reused")
            events.authorization_code_reused.send(grant_id=code["grant_id"])
            return None
        user = users.get(db, code["user_id"])
        if user is None:
            # Deleted after the code was issued (deleting revoked the grant): nothing to mint.
            return None
        login = minting.Login(
            client=client,
            user=user,
            scope=code["scope"],
            audience=code["audience"],
            grant_id=code["grant_id"],
            auth_time=code["auth_time"],
            nonce=code["nonce"],
            sid=code["sid"],
        )
        return minting.mint(db, tenant, login)


# ---- refresh tokens ---------------------------------------------------------------------


def find_refresh_token(tenant, token: str) -> dict | None:
    """Return an unexpired refresh token of a live grant, with its grant's details."""
    row = tenant.storage.query_one(
        "SELECT r.*, g.client_id, g.user_id, g.scope, g.audience, g.auth_time "
        "FROM refresh_tokens r JOIN grants g USING (grant_id) "
        "WHERE r.token_hash = ? AND r.expires_at > ? AND g.revoked_at IS NULL",
        (token_hash(token), tenant.clock.now()),
    )
    return dict(row) if row else None


def refresh(tenant, client: Client, old: dict, presented: str, scope: str | None) -> dict | None:
    """Exchange a refresh token for new tokens, rotating it; revoke the family on reuse.

    Returns:
        Auth0's token response body, or None when the token was reused or revoked meanwhile.
    """
    settings = client.refresh_token
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        # Read again inside the write lock: another request may have rotated it.
        row = db.execute(
            "SELECT r.rotated_at, r.expires_at, g.revoked_at FROM refresh_tokens r "
            "JOIN grants g USING (grant_id) WHERE r.token_hash = ?",
            (old["token_hash"],),
        ).fetchone()
        if row["rotated_at"] is not None and not _reuse_allowed(
            tenant, db, settings, old, row, now
        ):
            revoke_grant(db, old["grant_id"], now, reason="refresh token reused")
            events.refresh_reuse_detected.send(grant_id=old["grant_id"])
            return None
        if row["revoked_at"] is not None or row["expires_at"] <= now:
            return None
        login = minting.Login(
            client,
            users.get(db, old["user_id"]),
            scope or old["scope"],
            old["audience"],
            old["grant_id"],
            old["auth_time"],
            allow_refresh=False,
        )
        body = minting.mint(db, tenant, login)
        if settings.rotation_type == "non-rotating":
            # The same token goes on; its idle lifetime counts again from this use.
            db.execute(
                "UPDATE refresh_tokens SET expires_at = ? WHERE token_hash = ?",
                (minting.refresh_token_expiry(db, client, old["grant_id"], now), old["token_hash"]),
            )
            return body
        # Retire every live token of the family, so only the new one works; the presented
        # one becomes "the previous token", the only one a reuse interval lets back in.
        db.execute(
            "UPDATE refresh_tokens SET rotated_at = ? WHERE grant_id = ? AND rotated_at IS NULL",
            (now, old["grant_id"]),
        )
        db.execute(
            "INSERT INTO refresh_previous (grant_id, token_hash) VALUES (?, ?) "
            "ON CONFLICT DO UPDATE SET token_hash = excluded.token_hash",
            (old["grant_id"], old["token_hash"]),
        )
        body["refresh_token"] = minting.new_refresh_token(db, tenant, client, old["grant_id"])
        events.refresh_rotated.send(
            grant_id=old["grant_id"],
            old=minting.fingerprint(presented),
            new=minting.fingerprint(body["refresh_token"]),
        )
        return body


def _reuse_allowed(tenant, db, settings, old: dict, row, now: int) -> bool:
    """Tell whether a rotated refresh token may be exchanged again (Auth0's reuse interval)."""
    # https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-rotation:
    # within the reuse interval (`leeway` seconds after its rotation) "only the previous
    # token can be reused"; exchanging the second-to-last token triggers breach detection.
    previous = db.execute(
        "SELECT token_hash FROM refresh_previous WHERE grant_id = ?", (old["grant_id"],)
    ).fetchone()
    if previous is None or previous["token_hash"] != old["token_hash"]:
        return False
    if now - row["rotated_at"] >= settings.leeway:
        return False
    # With a leeway of 0 nothing gets here; otherwise the profiles differ: the hardened one
    # has no reuse interval at all (docs/security.md rule 5; RFC 9700 4.14.2).
    return not tenant.rule("no_refresh_reuse_interval")


def find_revocable(tenant, token: str) -> dict | None:
    """Return the grant and client of a refresh token (live or not), for the revoke endpoint."""
    row = tenant.storage.query_one(
        "SELECT r.grant_id, g.client_id FROM refresh_tokens r "
        "JOIN grants g USING (grant_id) WHERE r.token_hash = ?",
        (token_hash(token),),
    )
    return dict(row) if row else None


def revoke(tenant, grant_id: str, token: str) -> None:
    """Revoke a refresh token on request (the revocation endpoint), or its whole grant.

    https://auth0.com/docs/secure/tokens/refresh-tokens/revoke-refresh-tokens: with the
    tenant setting "Refresh Token Revocation Deletes Grant" off (the default for tenants
    created since 13 January 2021) only that refresh token is revoked and the grant is left
    intact, so access tokens already issued keep working until they expire. The hardened
    profile turns the setting on: everything the login issued stops working.
    """
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        if tenant.rule("revocation_deletes_grant"):
            revoke_grant(db, grant_id, now, reason="revoked by the application")
            return
        # Expired now is revoked: every lookup of a refresh token checks `expires_at`.
        db.execute(
            "UPDATE refresh_tokens SET expires_at = MIN(expires_at, ?) WHERE token_hash = ?",
            (now, token_hash(token)),
        )


# ---- access tokens --------------------------------------------------------------------------


def find_access_token(tenant, token: str) -> dict | None:
    """Return the user and scope of a live access token of a live grant, or None.

    Looked up by hash: only access tokens are stored there, so ID tokens, refresh tokens and
    revoked or expired tokens all come back None alike.
    """
    row = tenant.storage.query_one(
        "SELECT g.user_id, g.scope FROM access_tokens a JOIN grants g USING (grant_id) "
        "WHERE a.token_hash = ? AND a.expires_at > ? AND g.revoked_at IS NULL",
        (token_hash(token), tenant.clock.now()),
    )
    if row is None:
        return None
    user = users.find(tenant, row["user_id"])
    return {"user": user, "scope": row["scope"]} if user else None
