"""Classic Universal Login: the configuration Auth0 gives a custom login page, and the page itself.

In the Classic experience /authorize sends the browser to `/login`, a page made from a
template (Lock, auth0.js, or your own) in which Auth0 replaces `@@config@@` with the login's
configuration, base64-encoded JSON. The page then calls the Authentication API
(`/passwordless/start`, `/passwordless/verify`, `/passwordless/verify_redirect`) with the
login transaction's `state` and `_csrf`, the same transaction as the New pages'.
https://auth0.com/docs/customize/login-pages/classic-login/customize-classic-login-pages
"""

from __future__ import annotations

import base64
import json
import urllib.parse

from ..config import Client, TenantConfig


def login_url(transaction: dict) -> str:
    """Return where /authorize sends the browser in the Classic experience.

    Auth0 redirects to `/login?state=...&client=...&protocol=oauth2` plus the app's own
    parameters (the `state` is Auth0's transaction, not the app's).
    """
    params = transaction["params"]
    query = {
        "state": transaction["state"],
        "client": transaction["client_id"],
        "protocol": "oauth2",
        "response_type": params.get("response_type") or "code",
        "redirect_uri": params["redirect_uri"],
        "scope": params["scope"],
    }
    return "/login?" + urllib.parse.urlencode(query)


def page_config(tenant, transaction: dict, client: Client, *, base_url: str) -> dict:
    """Return the configuration a Classic page reads from `@@config@@` for this login.

    The fields are those Auth0's default templates read (Lock (passwordless) and the
    Custom Login Form: `clientID`, `auth0Domain`, `callbackURL`, `internalOptions`,
    `extraParams`, `dict`, `auth0Tenant`, `clientConfigurationBaseUrl`,
    `authorizationServer`, `assetsUrl`, `prompt`, `connection`, `icon`...).
    """
    params = transaction["params"]
    issuer = tenant.issuer
    domain = urllib.parse.urlsplit(issuer).netloc
    # What the page sends back with every call: Auth0's internal transaction state and
    # CSRF token (`_intstate` is a constant Auth0 marks "deprecated"), and the app's
    # protocol settings, so Lock and auth0.js ask for the same response type.
    internal = {
        "protocol": "oauth2",
        "response_type": params.get("response_type") or "code",
        "scope": params["scope"],
        "state": transaction["state"],
        "_csrf": transaction["csrf_token"],
        "_intstate": "deprecated",
    }
    if params.get("response_mode"):
        internal["response_mode"] = params["response_mode"]
    if params.get("audience"):
        internal["audience"] = params["audience"]
    extra = {**internal}
    if params.get("login_hint"):
        extra["login_hint"] = params["login_hint"]
    return {
        "clientID": client.client_id,
        # A bare host, as Auth0 gives it: the libraries add https:// and compare it with
        # the page's location.host to know they run on the hosted page.
        "auth0Domain": domain,
        "auth0Tenant": tenant.settings.friendly_name,
        "callbackURL": params["redirect_uri"],
        "callbackOnLocationHash": "token" in (params.get("response_type") or "").split(),
        # Where Lock loads `/client/{client_id}.js` and its assets from: the tenant itself,
        # where Auth0 names its CDN (https://cdn.auth0.com/).
        "clientConfigurationBaseUrl": base_url,
        "assetsUrl": base_url,
        "cdn": base_url,
        # Without a trailing slash, as Auth0's (https://cdn.auth0.com): Lock appends
        # /js/lock/{version}/{lang}.js.
        "languageBaseUrl": base_url.rstrip("/"),
        "authorizationServer": {"url": base_url.rstrip("/"), "issuer": issuer},
        "internalOptions": internal,
        "extraParams": extra,
        "dict": {"signin": {"title": client.name}},
        "icon": "",
        "prompt": params.get("prompt") or "",
        "connection": params.get("connection") or "",
        "isThirdPartyClient": not client.is_first_party,
        "colors": {"primary": "#0a5cad", "page_background": "#f4f5f7"},
    }


def render(template: str, config: dict) -> str:
    """Fill a Classic template in: `@@config@@` becomes the base64 of the JSON configuration."""
    # Auth0's templates decode it with JSON.parse(decodeURIComponent(escape(atob(...)))):
    # UTF-8 bytes, base64 (the alphabet has no character that needs escaping in a string).
    encoded = base64.b64encode(json.dumps(config).encode("utf-8")).decode("ascii")
    return template.replace("@@config@@", encoded)


def client_settings(config: TenantConfig, client: Client, base_url: str) -> dict:
    """Return what Lock reads from `/client/{client_id}.js`: the app's passwordless strategies.

    Lock loads it as JSONP (`Auth0.setClient({...})`) and keeps the strategies named
    `email` and `sms` as its passwordless connections (auth0-lock
    lib/core/client/settings.js: fetchClientSettings, lib/core/client/index.js).
    """
    strategies = [
        {"name": c.strategy, "connections": [{"name": c.name}]} for c in config.connections
    ]
    return {
        "id": client.client_id,
        "tenant": config.tenant.friendly_name,
        "subscription": "free",
        "authorize": base_url + "authorize",
        "callback": client.callbacks[0] if client.callbacks else "",
        "hasAllowedOrigins": bool(client.web_origins),
        "strategies": strategies,
    }
