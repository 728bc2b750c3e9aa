"""The tenant's Authentication API: thin views that hand each request to Authlib or the core."""

from __future__ import annotations

import json

from authlib.integrations.flask_oauth2 import ResourceProtector, current_token
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from flask import Blueprint, Response, current_app, request, url_for

from ..config import OTP_GRANT
from ..core import grants, logins, users
from ..dev import openapi
from ..login import authorize
from ..web import ApiError, current_tenant, error_response, read_params
from . import passwordless

bp = Blueprint("api", __name__)
bp.add_url_rule("/openapi.json", view_func=openapi.serve)

# https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims (plus offline_access, 11)
SCOPES_SUPPORTED = ["openid", "profile", "email", "phone", "offline_access"]
CLAIMS_SUPPORTED = sorted(
    "aud auth_time email email_verified exp iat iss name nickname nonce phone_number "
    "phone_verified picture sid sub updated_at".split()
)


class AccessTokenValidator(BearerTokenValidator):
    """Accept a live access token of a live grant that was issued with the `openid` scope."""

    def authenticate_token(self, token_string: str) -> dict | None:
        """Look the token up in the core (by hash); None for anything that is not one."""
        return grants.find_access_token(current_tenant(), token_string)

    def validate_token(self, token: dict | None, scopes, request) -> None:
        """Refuse a missing, expired or revoked token, and one without `openid`."""
        # https://openid.net/specs/openid-connect-core-1_0.html#UserInfoRequest
        if token is None or "openid" not in token["scope"].split():
            raise InvalidTokenError()


class Unauthorized(ApiError):
    """Auth0's refusal at /userinfo: 401 with the plain-text body "Unauthorized"."""

    def response(self) -> Response:
        """Render the refusal as Auth0 does: text, not its usual JSON error."""
        response = Response("Unauthorized", status=401, mimetype="text/plain")
        response.headers["Cache-Control"] = "no-store"
        response.headers.update(self.headers)
        return response


class UserinfoProtector(ResourceProtector):
    """Authlib's bearer-token guard, answering every refusal as the tenant's 401."""

    def raise_error_response(self, error):
        """Answer 401 "Unauthorized" with RFC 6750's `invalid_token` challenge."""
        # https://www.rfc-editor.org/rfc/rfc6750#section-3.1: a missing, malformed, expired
        # or revoked token all get 401 with a Bearer challenge; a token in the query or a
        # form body is not looked at (RFC 6750 2.2 and 2.3 are optional; tokens stay out of
        # URLs, docs/security.md rule 6). Auth0's body is the text "Unauthorized", not JSON
        # (auth0/Auth0.Android#629 shows clients failing to parse it).
        raise Unauthorized(
            401,
            "invalid_token",
            "Unauthorized",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


require_oauth = UserinfoProtector()
require_oauth.register_token_validator(AccessTokenValidator())


def _json(body, status: int = 200, headers: dict | None = None) -> Response:
    """Return a JSON response that no cache keeps (RFC 6749 5.1)."""
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


@bp.get("/.well-known/openid-configuration")
def openid_configuration():
    """Serve the OpenID Connect discovery document (built once per app)."""
    # https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
    body = current_app.extensions.get("mock_tenant.discovery")
    if body is None:
        body = current_app.extensions["mock_tenant.discovery"] = discovery_document()
    return Response(body, mimetype="application/json", headers={"Cache-Control": "max-age=60"})


@bp.get("/favicon.ico")
def favicon():
    """Answer the browser's favicon request with nothing, rather than a 404 in its console."""
    return Response(status=204, headers={"Cache-Control": "max-age=86400"})


@bp.get("/.well-known/jwks.json")
def jwks():
    """Serve the public signing keys (never a private parameter)."""
    body = current_tenant().keys.jwks_document()
    return Response(body, mimetype="application/json", headers={"Cache-Control": "max-age=60"})


@bp.post("/passwordless/start")
def passwordless_start():
    """Send a one-time code or a magic link by email or SMS."""
    body, headers = passwordless.start(
        current_tenant(),
        read_params(("authParams",)),
        request.remote_addr or "unknown",
        language=passwordless.request_language(request.headers),
        browser_key=request.cookies.get(logins.BROWSER_COOKIE),
    )
    return _json(body, headers=headers)


@bp.post("/oauth/token")
def token():
    """Exchange a one-time code, an authorization code or a refresh token for tokens."""
    return current_app.extensions["mock_tenant.oauth2"].create_token_response()


@bp.post("/oauth/revoke")
def revoke():
    """Revoke a refresh token and everything its login issued."""
    return current_app.extensions["mock_tenant.oauth2"].create_endpoint_response("revocation")


@bp.route("/userinfo", methods=["GET", "POST"])
@require_oauth()
def userinfo():
    """Return the claims of the user an access token was issued to."""
    # https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
    user, scope = current_token["user"], set(current_token["scope"].split())
    return _json({"sub": user["user_id"], **users.claims(user, scope)})


def discovery_document() -> bytes:
    """Build the discovery document as Auth0 publishes it, each endpoint from its route."""

    def endpoint(name: str) -> str:
        """Return the absolute URL of a route on the issuer's base URL."""
        return current_tenant().issuer.rstrip("/") + url_for(name)

    rules = current_tenant().config.rules

    return json.dumps(
        {
            "issuer": current_tenant().issuer,
            "authorization_endpoint": endpoint("universal_login.authorize_endpoint"),
            "token_endpoint": endpoint("api.token"),
            "userinfo_endpoint": endpoint("api.userinfo"),
            "jwks_uri": endpoint("api.jwks"),
            "revocation_endpoint": endpoint("api.revoke"),
            **_end_session_endpoint(endpoint),
            "scopes_supported": SCOPES_SUPPORTED,
            # What /authorize accepts under this tenant's rules (login/authorize.py);
            # Auth0's own document lists the seven response types, S256 and plain.
            "response_types_supported": authorize.response_types(rules),
            # Auth0 lists these three (web_message, its own, is not in the list).
            "response_modes_supported": (
                ["query", "web_message"]
                if rules.no_front_channel_tokens
                else ["query", "fragment", "form_post"]
            ),
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                OTP_GRANT,
            ],
            "code_challenge_methods_supported": authorize.pkce_methods(rules),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "claims_supported": CLAIMS_SUPPORTED,
            # https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata:
            # request_uri_parameter_supported defaults to true, so say no to both.
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            # https://www.rfc-editor.org/rfc/rfc9207#section-3
            **(
                {"authorization_response_iss_parameter_supported": True}
                if rules.iss_in_authorization_response
                else {}
            ),
        }
    ).encode()


def _end_session_endpoint(endpoint) -> dict:
    """Return `end_session_endpoint` while the tenant publishes it, else nothing."""
    # https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0: published
    # only while the tenant setting is on (it is for tenants created since November 2023).
    if current_tenant().settings.rp_logout_end_session_endpoint_discovery:
        return {"end_session_endpoint": endpoint("logout.oidc_logout")}
    return {}


def handle_http_error(error) -> Response:
    """Render Werkzeug's HTTP errors (404, 405, 413, ...) in Auth0's JSON shape."""
    names = {404: "not_found", 405: "method_not_allowed", 413: "request_entity_too_large"}
    error_name = names.get(error.code, "invalid_request")
    return error_response(error.code, error_name, error.description or error.name)
