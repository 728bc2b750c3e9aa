"""`POST /oauth/token`: Authlib grants for OTP, authorization code + PKCE, refresh, M2M.

Each grant lets Authlib validate the request, then asks the core to consume what it is paid
with (a one-time code, an authorization code, a refresh token) and mint tokens in one atomic
write, so that of two concurrent requests with the same credential exactly one wins. What is
left here is translation: request fields in, Auth0's answers and errors out.
"""

from __future__ import annotations

from authlib.consts import default_json_headers
from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
    UnauthorizedClientError,
    grants,
)
from authlib.oauth2.rfc7636 import CodeChallenge

from ..config import OTP_GRANT, Rules
from ..core import management, passwordless, users
from ..core.codes import Outcome
from ..core.grants import (
    find_authorization_code,
    find_refresh_token,
    redeem_authorization_code,
    refresh,
)
from ..core.identifiers import IdentifierError, normalize
from ..core.tenant import Tenant
from ..web import ApiError, echo

ALL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

# https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
OTP_FAILURE = {
    Outcome.EXPIRED: "The verification code has expired. Please try to login again.",
    Outcome.TOO_MANY_ATTEMPTS: (
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
        form, client = self.request.form, self.request.client.client
        outcome, body = passwordless.login_with_code(
            self.server.tenant,
            client,
            realm=form["realm"],
            identifier=self.request.credential,
            code=form["otp"],
            scope=form.get("scope"),
            audience=form.get("audience"),
        )
        # After the write, so a wrong try stays counted even though we refuse.
        if outcome is Outcome.LOCKED:
            raise TooManyAttemptsError(
                "Your account has been blocked after multiple consecutive login attempts."
            )
        if outcome is not Outcome.OK:
            raise InvalidGrantError(OTP_FAILURE.get(outcome, WRONG_CODE[form["realm"]]))
        return 200, body, default_json_headers


class PkceCodeChallenge(CodeChallenge):
    """PKCE at the token endpoint, with the methods and the requirement of the tenant's rules.

    Auth0 lists `plain` and S256 and lets a public client leave PKCE out; the hardened
    profile takes S256 only and requires it of public clients, because `plain` protects
    nothing against a leaked authorization request (RFC 9700 2.1.1).
    """

    def __init__(self, rules: Rules):
        super().__init__(required=rules.require_pkce_s256)
        self.SUPPORTED_CODE_CHALLENGE_METHOD = (
            ["S256"]
            if rules.require_pkce_s256
            else [
                "S256",
                "plain",
            ]
        )

    def validate_code_verifier(self, grant, result):
        """Check the verifier as Authlib does, failing with Auth0's words."""
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError:
            # Auth0's text for a verifier that does not match: go-auth0's
            # authentication/oauth_test.go ("Should throw for an invalid code verifier").
            raise InvalidGrantError("Failed to verify code verifier") from None


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """Exchange an authorization code from Universal Login for tokens (RFC 6749 4.1.3)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def query_authorization_code(self, code: str, client) -> StoredToken:
        """Find an unexpired code issued to this client (used or not: reuse is caught later)."""
        row = find_authorization_code(self.server.tenant, code, client.get_client_id())
        if row is None:
            raise InvalidGrantError("Invalid authorization code")
        return StoredToken(row)

    def authenticate_user(self, authorization_code: StoredToken) -> dict | None:
        """Return the user the code was issued for."""
        return users.find(self.server.tenant, authorization_code.user_id)

    def create_token_response(self):
        """Mark the code used and mint tokens atomically; a second use revokes the first's."""
        body = redeem_authorization_code(
            self.server.tenant, self.request.client.client, self.request.authorization_code.row
        )
        if body is None:
            raise InvalidGrantError("Invalid authorization code")
        return 200, body, default_json_headers


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Exchange a refresh token for new tokens, rotating it with reuse detection."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def authenticate_refresh_token(self, refresh_token: str) -> StoredToken | None:
        """Find an unexpired refresh token of a live grant."""
        row = find_refresh_token(self.server.tenant, refresh_token)
        if row is None:
            raise InvalidGrantError("Unknown or invalid refresh token.")
        return StoredToken(row)

    def authenticate_user(self, refresh_token: StoredToken) -> dict | None:
        """Return the user the refresh token belongs to."""
        return users.find(self.server.tenant, refresh_token.user_id)

    def create_token_response(self):
        """Rotate the refresh token and mint tokens, revoking the family on reuse."""
        body = refresh(
            self.server.tenant,
            self.request.client.client,
            self.request.refresh_token.row,
            presented=self.request.form["refresh_token"],
            scope=self.request.payload.scope,
        )
        if body is None:
            raise InvalidGrantError("Unknown or invalid refresh token.")
        return 200, body, default_json_headers


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """A machine-to-machine application's token for an API it has a client grant for."""

    # https://www.rfc-editor.org/rfc/rfc6749#section-4.4: confidential clients only.
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        """Authenticate the client and check that it may use this grant."""
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClientError(
                f"Grant type '{self.GRANT_TYPE}' not allowed for the client."
            )
        self.request.client = client

    def create_token_response(self):
        """Mint the token the client grant allows, or refuse as Auth0 does."""
        try:
            body = management.client_credentials(
                self.server.tenant,
                self.request.client.client,
                self.request.form.get("audience"),
                self.request.payload.scope,
            )
        except management.TokenRequestError as error:
            # Not Authlib's error class: it refuses the quotes of Auth0's own wording
            # (RFC 6749 5.2 leaves `"` out of error_description; Auth0 does not).
            raise ApiError(403, error.error, error.description) from None
        return 200, body, default_json_headers
