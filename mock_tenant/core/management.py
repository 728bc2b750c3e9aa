"""Auth0's Management API for passwordless users: machine tokens, the user body, and its rules.

https://auth0.com/docs/api/management/v2/users/get-users (and post-users, patch-users-by-id,
delete-users-by-id, get-users-by-email). Auth0 creates passwordless users only through this
API (or at their first login): https://auth0.com/docs/api/management/v2/users/post-users
"""

from __future__ import annotations

import datetime
import json
import secrets
import urllib.parse

import jwt

from ..config import MANAGEMENT_API_AUDIENCE, Client
from . import user_search, users

# Auth0's default lifetime of a Management API token (the API's "Token Expiration", 24 h).
# https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens
MANAGEMENT_TOKEN_LIFETIME = 86400
# https://auth0.com/docs/api/management/v2/users/get-users: `per_page` defaults to 50.
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# Root attributes a passwordless user may be given, kept with its token claims.
PROFILE_FIELDS = ("given_name", "family_name", "name", "nickname", "picture")


class ManagementError(Exception):
    """A Management API error: `{statusCode, error, message, errorCode}`."""

    REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    REASONS |= {409: "Conflict"}

    def __init__(self, status: int, message: str, error_code: str | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"statusCode": status, "error": self.REASONS[status], "message": message}
        if error_code:
            self.body["errorCode"] = error_code
        self.body.update(extra)


class TokenRequestError(Exception):
    """A refused client credentials request: Auth0's OAuth error and description."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


def audience(tenant) -> str:
    """Return this tenant's Management API identifier: `https://{domain}/api/v2/`."""
    domain = urllib.parse.urlsplit(tenant.issuer).netloc
    return MANAGEMENT_API_AUDIENCE.replace("{domain}", domain)


def client_credentials(tenant, client: Client, requested_audience: str | None, scope) -> dict:
    """Mint an access token for a machine-to-machine client, as its client grant allows.

    https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow

    Raises:
        TokenRequestError: no audience, an unknown one, no client grant, or scopes not granted.
    """
    if not requested_audience:
        # Auth0's answer to a token request with neither an audience nor a tenant default.
        raise TokenRequestError(
            "access_denied",
            "No audience parameter was provided, and no default audience has been configured",
        )
    management = requested_audience == audience(tenant)
    written = MANAGEMENT_API_AUDIENCE if management else requested_audience
    api = None if management else tenant.config.resource_server(requested_audience)
    if not management and api is None:
        raise TokenRequestError("access_denied", f"Service not found: {requested_audience}")
    grant = tenant.config.client_grant(client.client_id, written)
    if grant is None:
        raise TokenRequestError(
            "access_denied",
            f'Client "{client.client_id}" is not authorized to access resource server '
            f'"{requested_audience}". You need to create a "client-grant" associated to this API.',
        )
    asked = (scope or "").split()
    # Auth0 answers a scope the grant lacks with this refusal, not with fewer scopes.
    missing = [s for s in dict.fromkeys(asked) if s not in grant.scope]
    if missing:
        raise TokenRequestError(
            "access_denied", f"Client has not been granted scopes: {' '.join(missing)}"
        )
    granted = " ".join(dict.fromkeys(asked)) if asked else " ".join(grant.scope)
    lifetime = MANAGEMENT_TOKEN_LIFETIME if management else api.token_lifetime
    now = tenant.clock.now()
    token = tenant.keys.sign(
        {
            "iss": tenant.issuer,
            # https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles:
            # a machine token's subject is the client, `{client_id}@clients`.
            "sub": f"{client.client_id}@clients",
            "aud": requested_audience,
            "iat": now,
            "exp": now + lifetime,
            "scope": granted,
            "gty": "client-credentials",
            "azp": client.client_id,
            "jti": secrets.token_urlsafe(16),
        }
    )
    return {"access_token": token, "scope": granted, "expires_in": lifetime, "token_type": "Bearer"}


def check_token(tenant, authorization: str | None, needed: str) -> dict:
    """Verify a Management API bearer token and that it carries a scope; return its claims.

    Raises:
        ManagementError: 401 for a missing or bad token, 403 `insufficient_scope`.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        # The Management API (hapi) answers a request without credentials so.
        raise ManagementError(401, "Missing authentication")
    try:
        keys = jwt.PyJWKSet.from_json(tenant.keys.jwks_document().decode()).keys
        kid = jwt.get_unverified_header(token.strip()).get("kid")
        key = next(k for k in keys if k.key_id == kid)
        claims = jwt.decode(
            token.strip(),
            key,
            algorithms=["RS256"],
            audience=audience(tenant),
            issuer=tenant.issuer,
            # Expiry is checked below against the tenant clock (real time unless stopped).
            options={"require": ["exp", "scope"], "verify_exp": False, "verify_iat": False},
        )
    except (jwt.PyJWTError, StopIteration, ValueError):
        raise _bad_token("Invalid token") from None
    if not isinstance(claims["exp"], int) or claims["exp"] <= tenant.clock.now():
        raise _bad_token("Expired token received for JSON Web Token validation")
    if needed not in str(claims["scope"]).split():
        # https://auth0.com/docs/api/management/v2 (scopes per endpoint)
        raise ManagementError(
            403, f"Insufficient scope, expected any of: {needed}", "insufficient_scope"
        )
    return claims


def _bad_token(message: str) -> ManagementError:
    """Return the 401 the Management API gives a token it cannot accept."""
    return ManagementError(401, message, attributes={"error": message})


def _iso(timestamp: int) -> str:
    """Format a Unix time as Auth0 does in user bodies: ISO 8601, milliseconds, `Z`."""
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user_body(user: dict, attributes: dict | None) -> dict:
    """Describe a user as the Management API does (its `user` object)."""
    attributes = attributes or {}
    connection, identifier = user["connection"], user["identifier"]
    claims = users.claims(user, {"profile", "email", "phone"})
    verified = attributes.get("verified")
    verified = True if verified is None else bool(verified)
    body = {
        "created_at": _iso(user["created_at"]),
        "updated_at": _iso(user["updated_at"]),
        "user_id": user["user_id"],
        "identities": [
            {
                "connection": connection,
                "user_id": user["user_id"].split("|", 1)[1],
                "provider": connection,
                "isSocial": False,
            }
        ],
        **{k: v for k, v in claims.items() if k not in ("updated_at",)},
    }
    if connection == "email":
        body.update(email=identifier, email_verified=verified)
    else:
        body.update(phone_number=identifier, phone_verified=verified)
    for name in ("user_metadata", "app_metadata"):
        metadata = json.loads(attributes.get(name) or "{}")
        if metadata:
            body[name] = metadata
    return body


def searchable(body: dict) -> dict:
    """Return the values `q` can name: the body's fields, `email.domain`, nested paths."""
    values = {k: v for k, v in body.items() if not isinstance(v, dict | list)}
    if "email" in body:
        values["email.domain"] = body["email"].rpartition("@")[2]
    for name in ("connection", "provider", "user_id"):
        values[f"identities.{name}"] = [i[name] for i in body["identities"]]
    for root in ("user_metadata", "app_metadata"):
        _flatten(body.get(root, {}), root, values)
    return values


def _flatten(value, path: str, out: dict) -> None:
    """Add every scalar under a metadata object by its dotted path (arrays' levels ignored)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}", out)
    elif isinstance(value, list):
        for inner in value:
            _flatten(inner, path, out)
    else:
        existing = out.get(path)
        out[path] = [value] if existing is None else [*_as_list(existing), value]


def _as_list(value) -> list:
    """Wrap a single value in a list."""
    return value if isinstance(value, list) else [value]


# A user with what the Management API keeps beside it (`user_body` reads both).
SELECT_USERS = (
    "SELECT u.*, a.verified, a.user_metadata, a.app_metadata FROM users u "
    "LEFT JOIN user_attributes a ON a.user_id = u.user_id"
)


def all_bodies(tenant) -> list[dict]:
    """Return every user's body, oldest first."""
    rows = tenant.storage.query(SELECT_USERS + " ORDER BY u.created_at, u.user_id")
    return [user_body(dict(row), dict(row)) for row in rows]


def get_body(tenant, user_id: str) -> dict:
    """Return one user's body.

    Raises:
        ManagementError: 404 `inexistent_user`.
    """
    row = tenant.storage.query_one(SELECT_USERS + " WHERE u.user_id = ?", (user_id,))
    if row is None:
        raise ManagementError(404, "The user does not exist.", "inexistent_user")
    return user_body(dict(row), dict(row))


def search(tenant, q: str | None, sort: tuple[str, int] | None) -> list[dict]:
    """Return the users a query matches (all without one), in the order asked.

    Raises:
        user_search.QueryError: the query cannot be parsed.
    """
    bodies = all_bodies(tenant)
    if q:
        matches = user_search.parse(q)
        bodies = [body for body in bodies if matches(searchable(body))]
    if sort:
        field, direction = sort
        present = [b for b in bodies if b.get(field) is not None]
        absent = [b for b in bodies if b.get(field) is None]
        present.sort(key=lambda b: str(b[field]), reverse=direction < 0)
        bodies = present + absent
    return bodies


def by_email(tenant, email: str) -> list[dict]:
    """Return the users with an email address, compared without regard to case."""
    wanted = email.strip().lower()
    return [b for b in all_bodies(tenant) if b.get("email", "").lower() == wanted]


def create(tenant, connection: str, identifier: str, verified: bool, profile: dict, meta: dict):
    """Create a passwordless user; return its body.

    Raises:
        ManagementError: 409 when the identifier already has a user.
    """
    with tenant.storage.transaction() as db:
        if users.exists(db, connection, identifier):
            raise ManagementError(409, "The user already exists.", "auth0_idp_error")
        now = tenant.clock.now()
        user = users.find_or_create(
            db, secret=tenant.secret, connection=connection, identifier=identifier, now=now
        )
        users.set_claims(db, user, profile, now)
        _save_attributes(
            db,
            user["user_id"],
            int(verified),
            json.dumps(meta.get("user_metadata") or {}),
            json.dumps(meta.get("app_metadata") or {}),
        )
    return get_body(tenant, user["user_id"])


def update(tenant, user_id: str, changes: dict) -> dict:
    """Apply a PATCH: new identifier, verified flag, root attributes, merged metadata.

    `changes` holds `identifier`, `verified`, `profile` (None removes an attribute) and
    `user_metadata` / `app_metadata` (merged at the top level; None removes a key), as
    Auth0 merges metadata: https://auth0.com/docs/manage-users/user-accounts/metadata/manage-metadata-api

    Raises:
        ManagementError: 404 `inexistent_user`, 409 when the new identifier has a user.
    """
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        user = users.get(db, user_id)
        if user is None:
            raise ManagementError(404, "The user does not exist.", "inexistent_user")
        row = db.execute("SELECT * FROM user_attributes WHERE user_id = ?", (user_id,)).fetchone()
        verified = row["verified"] if row else None
        new_identifier = changes.get("identifier")
        if new_identifier and new_identifier != user["identifier"]:
            if users.exists(db, user["connection"], new_identifier):
                raise ManagementError(409, "The user already exists.", "auth0_idp_error")
            db.execute(
                "UPDATE users SET identifier = ? WHERE user_id = ?", (new_identifier, user_id)
            )
            # A new address or number has not been verified yet.
            verified = 0
        if changes.get("verified") is not None:
            verified = int(changes["verified"])
        profile = json.loads(user["profile"])
        for name, value in changes.get("profile", {}).items():
            if value is None:
                profile.pop(name, None)
            else:
                profile[name] = value
        metadata = {}
        for name in ("user_metadata", "app_metadata"):
            # Merged with what is stored now, read inside this write: no PATCH made meanwhile
            # is lost.
            merged = json.loads(row[name] or "{}") if row else {}
            for key, value in (changes.get(name) or {}).items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            metadata[name] = json.dumps(merged)
        db.execute(
            "UPDATE users SET profile = ?, updated_at = ? WHERE user_id = ?",
            (json.dumps(profile), now, user_id),
        )
        _save_attributes(db, user_id, verified, metadata["user_metadata"], metadata["app_metadata"])
    return get_body(tenant, user_id)


def _save_attributes(db, user_id: str, verified, user_metadata: str, app_metadata: str) -> None:
    """Write a user's verified flag and metadata (JSON text), inside the caller's write."""
    db.execute(
        "INSERT INTO user_attributes (user_id, verified, user_metadata, app_metadata) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET verified = excluded.verified,"
        " user_metadata = excluded.user_metadata, app_metadata = excluded.app_metadata",
        (user_id, verified, user_metadata, app_metadata),
    )
