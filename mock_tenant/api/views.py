"""The tenant's Authentication API: thin views that hand each request to its module."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from ..core import grants as tokens
from ..core import users
from ..dev import openapi
from ..web import ApiError, current_tenant, error_response, read_params
from . import passwordless

bp = Blueprint("api", __name__)
bp.add_url_rule("/openapi.json", view_func=openapi.serve)


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
    body = current_app.extensions["mock_tenant.discovery"]
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
        current_tenant(), read_params(("authParams",)), request.remote_addr or "unknown"
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
def userinfo():
    """Return the claims of the user an access token was issued to."""
    # https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
    tenant = current_tenant()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    row = None
    if scheme.lower() == "bearer" and token:
        # The token is looked up by hash: only live access tokens of live grants are
        # there, so ID tokens, refresh tokens and revoked tokens all fail alike.
        row = tenant.storage.query_one(
            "SELECT g.user_id, g.scope FROM access_tokens a JOIN grants g USING (grant_id) "
            "WHERE a.token_hash = ? AND a.expires_at > ? AND g.revoked_at IS NULL",
            (tokens.token_hash(token.strip()), tenant.clock.now()),
        )
    user = users.get(tenant.storage.connection(), row["user_id"]) if row else None
    if user is None or "openid" not in row["scope"].split():
        raise ApiError(
            401,
            "invalid_token",
            "The access token is missing, invalid or expired.",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return _json({"sub": user["user_id"], **users.claims(user, set(row["scope"].split()))})


def discovery_document(issuer: str, config) -> bytes:
    """Build the discovery document for an issuer, as Auth0 publishes it."""
    scopes = ["openid", "profile", "email", "phone", "offline_access"]
    return json.dumps(
        {
            "issuer": issuer,
            "authorization_endpoint": issuer + "authorize",
            "token_endpoint": issuer + "oauth/token",
            "userinfo_endpoint": issuer + "userinfo",
            "jwks_uri": issuer + ".well-known/jwks.json",
            "revocation_endpoint": issuer + "oauth/revoke",
            "end_session_endpoint": issuer + "oidc/logout",
            "scopes_supported": scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "web_message"],
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "http://auth0.com/oauth/grant-type/passwordless/otp",
            ],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "claims_supported": [
                "aud",
                "auth_time",
                "email",
                "email_verified",
                "exp",
                "iat",
                "iss",
                "name",
                "nickname",
                "nonce",
                "phone_number",
                "phone_verified",
                "picture",
                "sid",
                "sub",
                "updated_at",
            ],
        }
    ).encode()


def handle_api_error(error: ApiError) -> Response:
    """Render an ApiError raised anywhere in a view."""
    return error.response()


def handle_http_error(error) -> Response:
    """Render Werkzeug's HTTP errors (404, 405, 413, ...) in Auth0's JSON shape."""
    names = {404: "not_found", 405: "method_not_allowed", 413: "request_entity_too_large"}
    error_name = names.get(error.code, "invalid_request")
    return error_response(error.code, error_name, error.description or error.name)
