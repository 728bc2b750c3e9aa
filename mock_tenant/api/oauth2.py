"""The authorization server: Authlib's AuthorizationServer, shaped to answer like Auth0."""

from __future__ import annotations

import hmac
import re

from authlib.integrations.flask_oauth2 import AuthorizationServer as FlaskAuthorizationServer
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    OAuth2Request,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oauth2.rfc7009 import RevocationEndpoint as BaseRevocationEndpoint
from flask import request as flask_request

from ..config import Client
from ..core import grants
from ..core.tenant import Tenant
from ..web import echo, error_response, read_params
from . import token_endpoint

# A loopback redirect with a port: ASCII digits, no leading zero, then exactly the path.
LOOPBACK_REDIRECT = re.compile(
    r"http://127\.0\.0\.1:(?P<port>[1-9][0-9]{0,4})(?P<rest>/.*)", re.DOTALL
)

# Auth0 answers these OAuth errors with these statuses; anything else is 400.
# https://auth0.com/docs/api/authentication#standard-error-responses
AUTH0_ERROR_STATUS = {
    "invalid_client": 401,
    "invalid_grant": 403,
    "unauthorized_client": 403,
    "access_denied": 403,
    "too_many_attempts": 429,
    "temporarily_unavailable": 503,
}


class TenantRequest(OAuth2Request):
    """Authlib's request over parameters already read from a JSON or form body."""

    def __init__(self, params: dict):
        super().__init__(flask_request.method, flask_request.url, headers=flask_request.headers)
        self.payload = BasicOAuth2Payload(params)
        self._params = params

    @property
    def form(self) -> dict:
        """Return the body parameters (Authlib's grants read them from here)."""
        return self._params

    @property
    def args(self):
        """Return the query string parameters."""
        return flask_request.args


class OAuthClient(ClientMixin):
    """A registered application as Authlib sees it (the ClientMixin protocol)."""

    def __init__(self, client: Client):
        self.client = client

    def get_client_id(self) -> str:
        """Return the client id."""
        return self.client.client_id

    def get_default_redirect_uri(self) -> None:
        """Return None: Auth0 requires an explicit redirect_uri."""
        return None

    def get_allowed_scope(self, scope: str) -> str:
        """Return the scope unchanged; the tenant filters it when it mints tokens."""
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Match a redirect URI against the registered ones, string for string."""
        if redirect_uri in self.client.callbacks:
            return True
        # https://www.rfc-editor.org/rfc/rfc8252#section-7.3: a native app's loopback
        # redirect may use any port; everything else must match exactly.
        if self.client.app_type == "native":
            # A regex on the raw string, not a URL parser: a parser forgives a user part
            # (`evil@127.0.0.1`), `+53122` or `053122`, and raises on port 99999 (a 500).
            match = LOOPBACK_REDIRECT.fullmatch(redirect_uri)
            if match and int(match["port"]) <= 65535:
                return "http://127.0.0.1" + match["rest"] in self.client.callbacks
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        """Compare a presented secret with the registered one in constant time."""
        expected = (self.client.client_secret or "").encode()
        # compare_digest needs ASCII-only str or bytes: encode, so odd input is just "wrong".
        return bool(expected) and hmac.compare_digest(expected, client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Accept `none` for public clients and either secret method for confidential ones."""
        # Auth0 accepts the secret by HTTP Basic or in the body whatever the client's
        # registered method, and auth0-python and Authlib each use a different one.
        if self.client.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        """Tell whether the client may ask for a response type (see login/authorize.py)."""
        if response_type == "code":
            return "authorization_code" in self.client.grant_types
        return "implicit" in self.client.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        """Tell whether the client may use a grant type."""
        return grant_type in self.client.grant_types


class RevocationEndpoint(BaseRevocationEndpoint):
    """`POST /oauth/revoke`: revoke a refresh token, or its whole grant (RFC 7009)."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None):
        """Find a refresh token by its hash."""
        row = grants.find_revocable(self.server.tenant, token_string)
        return token_endpoint.StoredToken(row) if row else None

    def authenticate_token(self, request, client):
        """Return the token if it was issued to this client; None (revoke nothing) if not."""
        # https://github.com/auth0/docs/blob/master/articles/api/authentication/errors/_oauth-revoke.md:
        # Auth0 answers 200 when the token "is revoked, does not exist, or was not issued to
        # the client making the revocation request" (Authlib would answer invalid_grant).
        self.check_params(request, client)
        token = self.query_token(request.form["token"], request.form.get("token_type_hint"))
        return token if token and token.check_client(client) else None

    def revoke_token(self, token, request) -> None:
        """Revoke the refresh token, or its whole grant when the tenant setting says so."""
        grants.revoke(self.server.tenant, token.grant_id, request.form["token"])

    def create_endpoint_response(self, request):
        """Revoke, then answer 200 with an empty body as Auth0 does."""
        super().create_endpoint_response(request)
        # go-auth0 test/data/recordings/authentication/TestRevokeRefreshToken: an empty
        # body labelled application/json.
        return 200, "", [("Content-Type", "application/json"), ("Cache-Control", "no-store")]


class AuthorizationServer(FlaskAuthorizationServer):
    """Authlib's server with the tenant's clients, grants and Auth0's error statuses."""

    def __init__(self, tenant: Tenant):
        super().__init__()
        self.tenant = tenant
        self._clients = {c.client_id: OAuthClient(c) for c in tenant.config.clients}
        self.register_grant(token_endpoint.OneTimeCodeGrant)
        self.register_grant(
            token_endpoint.AuthorizationCodeGrant,
            [token_endpoint.PkceCodeChallenge(tenant.config.rules)],
        )
        self.register_grant(token_endpoint.RefreshTokenGrant)
        self.register_grant(token_endpoint.ClientCredentialsGrant)
        self.register_endpoint(RevocationEndpoint)

    def query_client(self, client_id: str) -> OAuthClient | None:
        """Return a registered client by id, or None."""
        return self._clients.get(client_id)

    def save_token(self, token: dict, request) -> None:
        """Do nothing: our grants store tokens in the same transaction that mints them."""

    def create_oauth2_request(self, request) -> OAuth2Request:
        """Build Authlib's request from a JSON or form body (Auth0 accepts both)."""
        return TenantRequest(read_params())

    def authenticate_client(self, request, methods, endpoint="token"):
        """Authenticate the client, answering a missing or unknown client_id as Auth0 does."""
        try:
            basic_client_id, _ = extract_basic_authorization(request.headers)
        except ValueError:
            # Authlib lets Basic credentials that are not ASCII base64 of UTF-8 escape as
            # errors (a 500); they are simply credentials that do not authenticate anyone.
            raise InvalidClientError(
                status_code=401, description="Client authentication failed."
            ) from None
        # https://www.rfc-editor.org/rfc/rfc6749#section-2.3: one authentication method per
        # request. Basic plus a body secret, or a body client_id naming another client, is
        # ambiguous: Authlib would take the first method that works and ignore the rest.
        body_client_id = request.payload.client_id
        if basic_client_id and (
            (body_client_id and body_client_id != basic_client_id)
            or request.form.get("client_secret") is not None
        ):
            raise InvalidRequestError(
                "Authenticate the client one way only: HTTP Basic or the request body."
            )
        client_id = body_client_id or basic_client_id
        if not client_id:
            raise InvalidRequestError("Missing required parameter: client_id")
        if self.query_client(client_id) is None:
            raise UnauthorizedClientError(f"Unknown client: {echo(client_id)}")
        return super().authenticate_client(request, methods, endpoint)

    def handle_error_response(self, request, error):
        """Answer an OAuth error in Auth0's shape and with Auth0's status code."""
        status = AUTH0_ERROR_STATUS.get(error.error, 400)
        description = error.description or error.error.replace("_", " ").capitalize() + "."
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        name = error.error
        if name == "invalid_client":
            # Authlib's text lists the methods it tried, as a Python list: not for the wire.
            description = "Client authentication failed."
            # https://www.rfc-editor.org/rfc/rfc6749#section-5.2: a challenge only when the
            # client tried HTTP Basic.
            headers.pop("WWW-Authenticate", None)
            if request.headers.get("Authorization", "").lower().startswith("basic "):
                headers["WWW-Authenticate"] = f'Basic realm="{self.tenant.issuer}"'
            if flask_request.path == "/oauth/token":
                # Auth0's token endpoint answers a wrong or missing secret with 401
                # `access_denied` "Unauthorized", not RFC 6749's `invalid_client`, as clients
                # report: auth0/auth0-spa-js#454, auth0/auth0.js#317,
                # auth0/express-openid-connect#363. /oauth/revoke keeps `invalid_client`
                # (articles/api/authentication/errors/_oauth-revoke.md in auth0/docs).
                name, description = "access_denied", "Unauthorized"
        return error_response(status, name, description, headers)
