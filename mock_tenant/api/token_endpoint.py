"""The token endpoint's grants: passwordless OTP, authorization code + PKCE, refresh token.

Each grant lets Authlib validate the request, then consumes what it is paid with (a code,
an authorization code, a refresh token) and mints tokens in one atomic SQLite transaction,
so that of two concurrent requests with the same credential exactly one wins.
"""

from __future__ import annotations

import re

from authlib.consts import default_json_headers
from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
    UnauthorizedClientError,
    grants,
)
from authlib.oauth2.rfc7636 import CodeChallenge

from ..config import OTP_GRANT
from ..core import codes as otp
from ..core import grants as tokens
from ..core import users
from ..core.identifiers import IdentifierError, normalize
from ..core.tenant import Tenant
from ..dev import inspector

ALL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

# https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
OTP_FAILURE = {
    otp.Outcome.EXPIRED: "The verification code has expired. Please try to login again.",
    otp.Outcome.TOO_MANY_ATTEMPTS: (
        "You've reached the maximum number of attempts. Please try to login again."
    ),
}
WRONG_CODE = {
    "email": "Wrong email or verification code.",
    "sms": "Wrong phone number or verification code.",
}
USERNAME_FORMAT = {
    "email": "username must be an email address.",
    "sms": "username must be a phone number: a plus and up to 15 digits.",
}
# https://www.rfc-editor.org/rfc/rfc6749#section-5.2: error_description may only hold
# %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash, no line break, ASCII only).
NOT_ALLOWED_IN_DESCRIPTION = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def echo(value: str) -> str:
    """Make request input safe to repeat in an error description (Authlib raises otherwise)."""
    return NOT_ALLOWED_IN_DESCRIPTION.sub("?", value[:200])


class AccessDeniedError(OAuth2Error):
    """Auth0's `access_denied`, e.g. for an audience no API has."""

    error = "access_denied"


class TooManyAttemptsError(OAuth2Error):
    """Auth0's `too_many_attempts`: the identifier is locked after many failures."""

    # Auth0's brute-force protection answers this with 429 (status not confirmed for OTP).
    error = "too_many_attempts"


class StoredToken:
    """A row from the database that Authlib treats as a token or code."""

    def __init__(self, row):
        self.row = dict(row)
        self.grant_id = self.row["grant_id"]

    def __getattr__(self, name):
        """Expose the row's columns as attributes (Authlib reads `code_challenge` so)."""
        try:
            return self.row[name]
        except KeyError:
            raise AttributeError(name) from None

    def check_client(self, client) -> bool:
        """Tell whether this token or code belongs to a client."""
        return self.row["client_id"] == client.get_client_id()

    def get_redirect_uri(self) -> str | None:
        """Return the redirect URI the code was issued for."""
        return self.row.get("redirect_uri")

    def get_scope(self) -> str:
        """Return the granted scope."""
        return self.row["scope"]


def check_audience(tenant: Tenant, audience: str | None) -> None:
    """Refuse an audience that no API on the tenant has, as Auth0 does."""
    if audience and tenant.config.resource_server(audience) is None:
        raise AccessDeniedError(f"Service not found: {echo(audience)}")


class OneTimeCodeGrant(grants.BaseGrant, grants.TokenEndpointMixin):
    """Auth0's passwordless grant: exchange an emailed or texted code for tokens."""

    GRANT_TYPE = OTP_GRANT
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def validate_token_request(self) -> None:
        """Check the client, the grant and the fields before any code is looked at."""
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClientError(
                f"Grant type '{self.GRANT_TYPE}' not allowed for the client."
            )
        tenant: Tenant = self.server.tenant
        form = self.request.form
        for name in ("username", "otp", "realm"):
            if not form.get(name):
                raise InvalidRequestError(f"Missing required parameter: {name}")
        if tenant.config.connection(form["realm"]) is None:
            raise InvalidRequestError(f"Unknown realm: {echo(form['realm'])}")
        code = form["otp"]
        # Only short ASCII reaches the comparison (fullwidth digits, megabyte codes: 400).
        if not (code.isascii() and code.isprintable() and len(code) <= 64):
            raise InvalidRequestError("otp must be the code that was sent.")
        try:
            self.request.credential = normalize(form["realm"], form["username"])
        except IdentifierError:
            # Not the validator's text: it may quote the input, or a pattern with a backslash.
            raise InvalidRequestError(USERNAME_FORMAT[form["realm"]]) from None
        check_audience(tenant, form.get("audience"))
        self.request.client = client

    def create_token_response(self):
        """Check the code and, if it is right, consume it and mint tokens in one write."""
        tenant: Tenant = self.server.tenant
        form, client = self.request.form, self.request.client.client
        realm, identifier = form["realm"], self.request.credential
        with tenant.storage.transaction() as db:
            now = tenant.clock.now()
            outcome = otp.check_code(
                db,
                secret=tenant.secret,
                rules=tenant.otp_rules,
                connection=realm,
                identifier=identifier,
                client_id=client.client_id,
                code=form["otp"],
                now=now,
            )
            if outcome is otp.Outcome.OK:
                user = users.find_or_create(
                    db, secret=tenant.secret, connection=realm, identifier=identifier, now=now
                )
                scope = tokens.granted_scope(tenant, form.get("scope"), form.get("audience"))
                grant_id = tokens.new_grant(
                    db,
                    client_id=client.client_id,
                    user_id=user["user_id"],
                    scope=scope,
                    audience=form.get("audience"),
                    now=now,
                )
                login = tokens.Login(client, user, scope, form.get("audience"), grant_id, now)
                body = tokens.issue(db, tenant, login)
        inspector.note(f"Code check: {outcome.value.replace('_', ' ')}")
        # Outside the transaction, so a wrong try stays counted even though we refuse.
        if outcome is otp.Outcome.LOCKED:
            raise TooManyAttemptsError(
                "Your account has been blocked after multiple consecutive login attempts."
            )
        if outcome is not otp.Outcome.OK:
            raise InvalidGrantError(OTP_FAILURE.get(outcome, WRONG_CODE[realm]))
        return 200, body, default_json_headers


class S256CodeChallenge(CodeChallenge):
    """PKCE with S256 only: `plain` protects nothing against a leaked request (RFC 9700 2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """Exchange an authorization code from Universal Login for tokens (RFC 6749 4.1.3)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def query_authorization_code(self, code: str, client) -> StoredToken:
        """Find an unexpired code issued to this client (used or not: reuse is caught later)."""
        tenant: Tenant = self.server.tenant
        row = tenant.storage.query_one(
            "SELECT c.*, g.scope, g.audience, g.user_id, g.auth_time FROM authorization_codes c "
            "JOIN grants g USING (grant_id) WHERE c.code_hash = ? AND c.client_id = ? "
            "AND c.expires_at > ?",
            (tokens.token_hash(code), client.get_client_id(), tenant.clock.now()),
        )
        if row is None:
            raise InvalidGrantError("Invalid authorization code")
        return StoredToken(row)

    def authenticate_user(self, authorization_code: StoredToken) -> dict | None:
        """Return the user the code was issued for."""
        return users.get(self.server.tenant.storage.connection(), authorization_code.user_id)

    def create_token_response(self):
        """Mark the code used and mint tokens atomically; a second use revokes the first's."""
        tenant: Tenant = self.server.tenant
        code: StoredToken = self.request.authorization_code
        client = self.request.client.client
        with tenant.storage.transaction() as db:
            now = tenant.clock.now()
            first_use = db.execute(
                "UPDATE authorization_codes SET used_at = ? WHERE code_hash = ? "
                "AND used_at IS NULL",
                (now, code.code_hash),
            ).rowcount
            if first_use:
                login = tokens.Login(
                    client=client,
                    user=users.get(db, code.user_id),
                    scope=code.scope,
                    audience=code.audience,
                    grant_id=code.grant_id,
                    auth_time=code.auth_time,
                    nonce=code.nonce,
                    sid=code.sid,
                )
                body = tokens.issue(db, tenant, login)
            else:
                # https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2: a reused code
                # SHOULD revoke all tokens previously issued from it.
                tokens.revoke_grant(db, code.grant_id, now)
        if not first_use:
            inspector.note("Code used twice: the tokens of its first use are revoked")
            raise InvalidGrantError("Invalid authorization code")
        return 200, body, default_json_headers


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Exchange a refresh token for new tokens, rotating it with reuse detection."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def authenticate_refresh_token(self, refresh_token: str) -> StoredToken | None:
        """Find an unexpired refresh token of a live grant."""
        tenant: Tenant = self.server.tenant
        row = tenant.storage.query_one(
            "SELECT r.*, g.client_id, g.user_id, g.scope, g.audience, g.auth_time "
            "FROM refresh_tokens r JOIN grants g USING (grant_id) "
            "WHERE r.token_hash = ? AND r.expires_at > ? AND g.revoked_at IS NULL",
            (tokens.token_hash(refresh_token), tenant.clock.now()),
        )
        if row is None:
            raise InvalidGrantError("Unknown or invalid refresh token.")
        return StoredToken(row)

    def authenticate_user(self, refresh_token: StoredToken) -> dict | None:
        """Return the user the refresh token belongs to."""
        return users.get(self.server.tenant.storage.connection(), refresh_token.user_id)

    def create_token_response(self):
        """Rotate the refresh token and mint tokens, revoking the family on reuse."""
        tenant: Tenant = self.server.tenant
        old: StoredToken = self.request.refresh_token
        client = self.request.client.client
        settings = client.refresh_token
        with tenant.storage.transaction() as db:
            now = tenant.clock.now()
            # Read again inside the write lock: another request may have rotated it.
            row = db.execute(
                "SELECT r.rotated_at, g.revoked_at FROM refresh_tokens r "
                "JOIN grants g USING (grant_id) WHERE r.token_hash = ?",
                (old.token_hash,),
            ).fetchone()
            # https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation
            # A rotated token may be used again only for `leeway` seconds after its rotation:
            # with 0, never (not even within the same second).
            reused = row["rotated_at"] is not None and now - row["rotated_at"] >= settings.leeway
            if reused:
                tokens.revoke_grant(db, old.grant_id, now)
                inspector.note("Reuse detected: a rotated token came back, the family is revoked")
            elif row["revoked_at"] is None:
                scope = self.request.payload.scope or old.scope
                login = tokens.Login(
                    client,
                    users.get(db, old.user_id),
                    scope,
                    old.audience,
                    old.grant_id,
                    old.auth_time,
                    allow_refresh=False,
                )
                body = tokens.issue(db, tenant, login)
                if settings.rotation_type == "rotating":
                    # Retire every live token of the family, so only the new one works.
                    db.execute(
                        "UPDATE refresh_tokens SET rotated_at = ? "
                        "WHERE grant_id = ? AND rotated_at IS NULL",
                        (now, old.grant_id),
                    )
                    body["refresh_token"] = tokens.new_refresh_token(
                        db, tenant, client, old.grant_id
                    )
                    inspector.note(
                        f"Rotated: {inspector.fingerprint(self.request.form['refresh_token'])} "
                        f"→ {inspector.fingerprint(body['refresh_token'])}"
                    )
        if reused or row["revoked_at"] is not None:
            raise InvalidGrantError("Unknown or invalid refresh token.")
        return 200, body, default_json_headers
