"""The web app's client of its Auth0 tenant: Authlib's client, discovery, refresh, revoke, logout.

Authlib's Flask client does the redirect to /authorize and the code exchange (auth.py). The
two calls it has no Flask helper for, refresh and revoke, are plain `requests` calls here,
so a learner sees exactly what goes over the wire.
"""

from __future__ import annotations

import urllib.parse

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from .errors import FriendlyError, TenantUnavailable, talking_to_tenant
from .id_token import IdTokenValidator

# OpenID Connect scopes, plus offline_access for a refresh token (OIDC Core 11).
# https://auth0.com/docs/get-started/apis/scopes/openid-connect-scopes
SCOPE = "openid profile email offline_access"


class RefreshRefused(Exception):
    """The tenant refused a refresh token (revoked, rotated away, or expired)."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


def init_app(app: Flask) -> None:
    """Register the tenant with Authlib's Flask client, as Auth0's Python quickstart does."""
    oauth = OAuth(app)
    base_url = app.config["TENANT_BASE_URL"]
    oauth.register(
        "auth0",
        client_id=app.config["AUTH0_CLIENT_ID"],
        client_secret=app.config["AUTH0_CLIENT_SECRET"],
        # Endpoints and keys come from the discovery document, fetched on first use.
        # https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
        server_metadata_url=base_url + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPE,
            # PKCE even though we have a secret: it also stops a stolen code being
            # redeemed in another session (RFC 9700 2.1.1, RFC 7636).
            # https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
            "code_challenge_method": "S256",
            # How the tenant's config registers this client (tenant.toml); Auth0 accepts
            # the secret in the body or by HTTP Basic.
            "token_endpoint_auth_method": "client_secret_post",
            # Never wait forever on the tenant: every Authlib request gets this timeout.
            "default_timeout": float(app.config["HTTP_TIMEOUT"]),
        },
    )


def authlib_client():
    """Return this app's Authlib client for the tenant."""
    return current_app.extensions["authlib.integrations.flask_client"].auth0


def issuer() -> str:
    """Return the issuer we expect: the tenant's base URL with Auth0's trailing slash."""
    return current_app.config["TENANT_BASE_URL"] + "/"


def metadata() -> dict:
    """Return the tenant's discovery document (Authlib fetches it once and keeps it)."""
    with talking_to_tenant("reading the login service's discovery document"):
        document = authlib_client().load_server_metadata()
        found = document["issuer"]
    # OpenID Connect Discovery 4.3: the issuer must be exactly the URL we asked, or
    # someone else's tenant is answering for ours.
    # https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
    if found != issuer():
        raise FriendlyError(
            502,
            "The login service is not the one we expected",
            f"Its discovery document names the issuer {found!r}, not {issuer()!r}.",
            "Check AUTH0_DOMAIN: it must be the tenant's own address.",
        )
    return document


def id_token_validator() -> IdTokenValidator:
    """Return the app's ID token validator, built once from the discovered `jwks_uri`."""
    validator = current_app.extensions.get("regular_web_app.id_tokens")
    if validator is None:
        with talking_to_tenant("reading the login service's discovery document"):
            jwks_uri = metadata()["jwks_uri"]
        validator = IdTokenValidator(
            issuer=issuer(),
            client_id=current_app.config["AUTH0_CLIENT_ID"],
            jwks_uri=jwks_uri,
            timeout=float(current_app.config["HTTP_TIMEOUT"]),
        )
        # Kept on the app so the key set cache outlives the request.
        current_app.extensions["regular_web_app.id_tokens"] = validator
    return validator


def refresh(refresh_token: str) -> dict:
    """Trade a refresh token for new tokens (RFC 6749 section 6, Auth0's rotation).

    Raises:
        RefreshRefused: the tenant answered with an OAuth error (403 `invalid_grant`, ...).
        FriendlyError: the tenant could not be reached or answered garbage.

    """
    # https://www.rfc-editor.org/rfc/rfc6749#section-6
    # https://auth0.com/docs/secure/tokens/refresh-tokens/use-refresh-tokens
    # No `scope`: the new tokens keep the scope of the login (asking for more would be refused).
    form = {
        "grant_type": "refresh_token",
        "client_id": current_app.config["AUTH0_CLIENT_ID"],
        "client_secret": current_app.config["AUTH0_CLIENT_SECRET"],
        "refresh_token": refresh_token,
    }
    what = "refreshing your tokens"
    with talking_to_tenant(what):
        response = requests.post(
            metadata()["token_endpoint"], data=form, timeout=current_app.config["HTTP_TIMEOUT"]
        )
        if response.status_code >= 500:
            response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        if response.status_code != 200:
            # https://www.rfc-editor.org/rfc/rfc6749#section-5.2
            raise RefreshRefused(str(body["error"]), str(body.get("error_description", "")))
        if not isinstance(body.get("access_token"), str):
            raise ValueError("no access token in the answer")
    return body


def revoke(refresh_token: str) -> bool:
    """Revoke a refresh token at the tenant (RFC 7009); tell whether the tenant agreed.

    Raises:
        TenantUnavailable: the tenant could not be reached or did not answer in time.

    """
    # https://auth0.com/docs/api/authentication#revoke-refresh-token
    # https://www.rfc-editor.org/rfc/rfc7009#section-2.1
    url = current_app.config["TENANT_BASE_URL"] + "/oauth/revoke"
    form = {
        "client_id": current_app.config["AUTH0_CLIENT_ID"],
        "client_secret": current_app.config["AUTH0_CLIENT_SECRET"],
        "token": refresh_token,
        "token_type_hint": "refresh_token",
    }
    try:
        response = requests.post(url, data=form, timeout=current_app.config["HTTP_TIMEOUT"])
    except requests.Timeout:
        raise TenantUnavailable("ending your session there", status=504) from None
    except requests.RequestException:
        raise TenantUnavailable("ending your session there") from None
    return response.status_code == 200


def logout_url(return_to: str) -> str:
    """Return the tenant's logout URL, which ends its session and comes back to `return_to`."""
    # https://auth0.com/docs/api/authentication#logout: `returnTo` must be one of the
    # client's Allowed Logout URLs, and `client_id` says which client's list to look in.
    query = urllib.parse.urlencode(
        {"client_id": current_app.config["AUTH0_CLIENT_ID"], "returnTo": return_to}
    )
    return current_app.config["TENANT_BASE_URL"] + "/v2/logout?" + query
