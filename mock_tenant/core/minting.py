"""Minting tokens the way Auth0 does: ID token, access token (JWT or opaque), refresh token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from ..config import Client
from . import events, users

# https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims (plus offline_access, 11)
OIDC_SCOPES = ("openid", "profile", "email", "phone", "offline_access")
# Auth0's lifetime for an opaque access token, good only for /userinfo.
OPAQUE_ACCESS_TOKEN_LIFETIME = 86400
# The expiry stored for a refresh token that never expires (year 287396: never, in practice).
NEVER = 2**53


@dataclass(frozen=True)
class Login:
    """What a token response is for: who logged in, to which app, asking for what."""

    client: Client
    user: dict
    scope: str
    audience: str | None
    grant_id: str
    auth_time: int
    nonce: str | None = None
    sid: str | None = None
    allow_refresh: bool = True


def token_hash(token: str) -> str:
    """Return the SHA-256 a token is stored under (the database never holds a usable token)."""
    return hashlib.sha256(token.encode()).hexdigest()


def fingerprint(token: str) -> str:
    """Return a short, non-reversible name for a token: enough to tell two apart."""
    return "…" + token_hash(token)[:8]


def granted_scope(tenant, requested: str | None, audience: str | None) -> str:
    """Keep the requested scopes the tenant knows: OpenID scopes and the API's permissions."""
    known = set(OIDC_SCOPES)
    api = tenant.config.resource_server(audience)
    if api is not None:
        known |= {s.value for s in api.scopes}
    asked = (requested or "").split()
    return " ".join(dict.fromkeys(s for s in asked if s in known))


def mint(db, tenant, login: Login) -> dict:
    """Mint and store the tokens for a login, and return Auth0's token response body."""
    scope = set(login.scope.split())
    access_token, expires_in = _access_token(db, tenant, login)
    response: dict = {"access_token": access_token}
    if "openid" in scope:
        response["id_token"] = _id_token(tenant, login, {})
    # https://auth0.com/docs/secure/tokens/refresh-tokens/get-refresh-tokens
    if (
        "offline_access" in scope
        and login.allow_refresh
        and "refresh_token" in login.client.grant_types
    ):
        response["refresh_token"] = new_refresh_token(db, tenant, login.client, login.grant_id)

    response.update(scope=login.scope, expires_in=expires_in, token_type="Bearer")
    _announce(login, response)
    return response


def mint_front_channel(db, tenant, login: Login, response_type: str, code: str | None) -> dict:
    """Mint the tokens an implicit or hybrid response carries to the app's redirect URI.

    Never a refresh token: tokens in the front channel pass through the browser.

    Returns:
        The response's parameters: `access_token`, `token_type`, `expires_in` and
        `id_token` as the response type asks, and `code` when there is one.
    """
    # Imported here: only the front channel needs it, and its import (Authlib's OIDC core,
    # joserfc) would otherwise add to every start of the tenant (bench/README.md: restart).
    from authlib.oidc.core.util import create_half_hash

    flow = set(response_type.split())
    response: dict = {}
    hashes: dict = {}
    if "token" in flow:
        access_token, expires_in = _access_token(db, tenant, login)
        response.update(access_token=access_token, token_type="Bearer", expires_in=expires_in)
        # https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDToken (at_hash)
        hashes["at_hash"] = create_half_hash(access_token, "RS256").decode()
    if code is not None:
        response["code"] = code
        # https://openid.net/specs/openid-connect-core-1_0.html#HybridIDToken (c_hash)
        hashes["c_hash"] = create_half_hash(code, "RS256").decode()
    if "id_token" in flow:
        response["id_token"] = _id_token(tenant, login, hashes)
    _announce(login, response)
    return response


def _access_token(db, tenant, login: Login) -> tuple[str, int]:
    """Mint and store an access token (JWT for an API, else opaque); return it and its lifetime."""
    now = tenant.clock.now()
    api = tenant.config.resource_server(login.audience)
    if api is not None:
        # https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
        scope = set(login.scope.split())
        audience = [api.identifier, tenant.url("userinfo")] if "openid" in scope else api.identifier
        expires_in = api.token_lifetime
        access_token = tenant.keys.sign(
            {
                "iss": tenant.issuer,
                "sub": login.user["user_id"],
                "aud": audience,
                "iat": now,
                "exp": now + expires_in,
                "scope": login.scope,
                "azp": login.client.client_id,
                # https://www.rfc-editor.org/rfc/rfc9068#section-2.2: a unique id, so two
                # tokens minted in the same second for the same login still differ.
                "jti": secrets.token_urlsafe(16),
            }
        )
    else:
        # Without an audience Auth0 issues an opaque token, good only for /userinfo.
        expires_in = OPAQUE_ACCESS_TOKEN_LIFETIME
        access_token = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO access_tokens (token_hash, grant_id, expires_at) VALUES (?, ?, ?)",
        (token_hash(access_token), login.grant_id, now + expires_in),
    )
    return access_token, expires_in


def _id_token(tenant, login: Login, extra: dict) -> str:
    """Sign an ID token for a login, with extra claims (at_hash, c_hash)."""
    # https://openid.net/specs/openid-connect-core-1_0.html#IDToken
    now = tenant.clock.now()
    id_claims = {
        **users.claims(login.user, set(login.scope.split())),
        "iss": tenant.issuer,
        "sub": login.user["user_id"],
        "aud": login.client.client_id,
        "iat": now,
        "exp": now + tenant.settings.id_token_lifetime,
        "auth_time": login.auth_time,
        **extra,
    }
    if login.sid:
        id_claims["sid"] = login.sid
    if login.nonce:
        id_claims["nonce"] = login.nonce
    return tenant.keys.sign(id_claims)


def _announce(login: Login, response: dict) -> None:
    """Tell listeners (the flow inspector) which tokens a login was just given."""
    events.tokens_minted.send(
        grant_id=login.grant_id,
        client_id=login.client.client_id,
        user_id=login.user["user_id"],
        names=[name for name in ("access_token", "id_token", "refresh_token") if name in response],
    )


def new_refresh_token(db, tenant, client: Client, grant_id: str) -> str:
    """Mint a refresh token in a grant's family and store its hash."""
    now = tenant.clock.now()
    token = secrets.token_urlsafe(48)
    db.execute(
        "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        (token_hash(token), grant_id, now, refresh_token_expiry(db, client, grant_id, now)),
    )
    return token


def refresh_token_expiry(db, client: Client, grant_id: str, now: int) -> int:
    """Return when a refresh token used or minted now expires: the sooner of both lifetimes.

    https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-expiration:
    the absolute lifetime (`token_lifetime`) belongs to the family, counted from the login
    that started it (the grant); the idle lifetime (`idle_token_lifetime`) counts from the
    last use. `infinite_*` switches either off; `non-expiring` switches both off.
    """
    settings = client.refresh_token
    if settings.expiration_type == "non-expiring":
        return NEVER
    limits = []
    if not settings.infinite_token_lifetime:
        started = db.execute(
            "SELECT created_at FROM grants WHERE grant_id = ?", (grant_id,)
        ).fetchone()["created_at"]
        limits.append(started + settings.token_lifetime)
    if not settings.infinite_idle_token_lifetime:
        limits.append(now + settings.idle_token_lifetime)
    return min(limits, default=NEVER)
