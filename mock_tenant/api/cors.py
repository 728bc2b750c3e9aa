"""CORS for browser apps: which origins may call the token, revoke and embedded-login endpoints.

A single-page app runs on its own origin and calls the tenant with `fetch`. The browser only
lets its script read the answer when the tenant names that origin in
`Access-Control-Allow-Origin`, and only on the endpoints a browser needs. Which list of the
application names the origin depends on the endpoint:
- the token and revoke endpoints (auth0-spa-js): Allowed Web Origins (`web_origins`);
- embedded login (auth0.js, Lock: /passwordless/start, /co/authenticate): Allowed Origins
  (CORS) (`allowed_origins`, and by default the origins of the Allowed Callback URLs),
  https://auth0.com/docs/get-started/applications/set-up-cors
https://fetch.spec.whatwg.org/#http-cors-protocol
https://auth0.com/docs/get-started/applications/application-settings#application-uris
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ..web import ApiError, current_tenant, read_params

# The endpoints auth0-spa-js calls with fetch. /authorize and /v2/logout are page
# navigations, which need no CORS; nothing else gets CORS headers.
WEB_ORIGIN_PATHS = ("/oauth/token", "/oauth/revoke")
# The endpoints auth0.js and Lock call from the app's page for embedded passwordless
# (https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/spa).
EMBEDDED_PATHS = ("/passwordless/start", "/co/authenticate")
CORS_PATHS = WEB_ORIGIN_PATHS + EMBEDDED_PATHS
# auth0.js posts to /co/authenticate `withCredentials` (its verifier cookie must be set):
# the answer may be read only if the tenant allows credentials for that origin.
# https://fetch.spec.whatwg.org/#cors-protocol-and-credentials
CREDENTIALED_PATHS = ("/co/authenticate",)
# auth0-spa-js posts form bodies with an `Auth0-Client` header (its name and version), which
# makes the request "non-simple": the browser asks first with a preflight.
# https://fetch.spec.whatwg.org/#cors-safelisted-request-header
ALLOWED_HEADERS = "Content-Type, Auth0-Client"
# How long the browser may reuse a preflight answer, in seconds (Chromium caps it at 7200).
PREFLIGHT_MAX_AGE = "600"


# Public keys, readable from any page: auth0.js checks an ID token in the browser and
# fetches the JWKS from the app's page (validateToken in src/web-auth/index.js, auth0.js).
PUBLIC_PATHS = ("/.well-known/jwks.json",)


def init_app(app: Flask) -> None:
    """Answer CORS preflights and label answers for allowed origins, on the CORS paths only."""
    app.before_request(answer_preflight)
    app.after_request(add_cors_headers)
    app.after_request(open_public_paths)


def open_public_paths(response: Response) -> Response:
    """Let any origin read the tenant's public keys (a simple GET: no preflight)."""
    if request.path in PUBLIC_PATHS and request.method == "GET":
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def answer_preflight() -> Response | None:
    """Answer a preflight (`OPTIONS` with `Access-Control-Request-Method`) before any view."""
    # https://fetch.spec.whatwg.org/#cors-preflight-fetch
    if (
        request.path not in CORS_PATHS
        or request.method != "OPTIONS"
        or "Access-Control-Request-Method" not in request.headers
    ):
        return None
    response = Response(status=204)
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    # A preflight carries no body, so no client_id: any application's origin may ask.
    # The real request that follows is checked against its own client (add_cors_headers).
    if origin in _all_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        if request.path in CREDENTIALED_PATHS:
            response.headers["Access-Control-Allow-Credentials"] = "true"
    # For any other origin the answer names nobody, so the browser stops there.
    return response


def add_cors_headers(response: Response) -> Response:
    """Let the calling client's web origin read the answer, errors included."""
    if request.path not in CORS_PATHS:
        return response
    # The answer depends on Origin, so caches must keep one copy per origin.
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin and request.method == "POST" and origin in _client_origins():
        # Never "*"; credentials only where the endpoint sets a cookie.
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.path in CREDENTIALED_PATHS:
            response.headers["Access-Control-Allow-Credentials"] = "true"
    return response


def _origins(client) -> set[str]:
    """Return the origins a client allows on this request's path."""
    if request.path in EMBEDDED_PATHS:
        return client.cors_origins
    return set(client.web_origins)


def _all_origins() -> set[str]:
    """Return every origin any application allows on this request's path."""
    return {origin for client in current_tenant().config.clients for origin in _origins(client)}


def _client_origins() -> set[str]:
    """Return the origins the client named in the request body allows on this path, if any."""
    try:
        # auth0.js sends `authParams` (an object) to /passwordless/start.
        client_id = read_params(("authParams",)).get("client_id")
    except (ApiError, HTTPException):
        # A malformed or oversized body was already refused by the view; no origin is named.
        return set()
    client = current_tenant().config.client(client_id)
    return _origins(client) if client else set()
