"""CORS for single-page apps: which browser origins may call the token, revoke and start endpoints.

A single-page app runs on its own origin and calls the tenant with `fetch`. The browser only
lets its script read the answer when the tenant names that origin in
`Access-Control-Allow-Origin`; Auth0 does so for the origins listed in an application's
Allowed Web Origins (`web_origins`), and only on the endpoints a browser needs.
https://fetch.spec.whatwg.org/#http-cors-protocol
https://auth0.com/docs/get-started/applications/application-settings#application-uris
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ..web import ApiError, current_tenant, read_params

# The endpoints auth0-spa-js calls with fetch, and /passwordless/start that auth0.js and
# Lock call from a SPA for embedded passwordless
# (https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/spa).
# /authorize and /v2/logout are page navigations, which need no CORS; nothing else gets
# CORS headers.
CORS_PATHS = ("/oauth/token", "/oauth/revoke", "/passwordless/start")
# auth0-spa-js posts form bodies with an `Auth0-Client` header (its name and version), which
# makes the request "non-simple": the browser asks first with a preflight.
# https://fetch.spec.whatwg.org/#cors-safelisted-request-header
ALLOWED_HEADERS = "Content-Type, Auth0-Client"
# How long the browser may reuse a preflight answer, in seconds (Chromium caps it at 7200).
PREFLIGHT_MAX_AGE = "600"


def init_app(app: Flask) -> None:
    """Answer CORS preflights and label answers for allowed origins, on the CORS paths only."""
    app.before_request(answer_preflight)
    app.after_request(add_cors_headers)


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
    # A preflight carries no body, so no client_id: any application's web origin may ask.
    # The real request that follows is checked against its own client (add_cors_headers).
    if origin in _all_web_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    # For any other origin the answer names nobody, so the browser stops there.
    return response


def add_cors_headers(response: Response) -> Response:
    """Let the calling client's web origin read the answer, errors included."""
    if request.path not in CORS_PATHS:
        return response
    # The answer depends on Origin, so caches must keep one copy per origin.
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin and request.method == "POST" and origin in _client_web_origins():
        # Never "*", and no Access-Control-Allow-Credentials: these endpoints need no cookies.
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def _all_web_origins() -> set[str]:
    """Return every origin any application lists in its Allowed Web Origins."""
    return {origin for client in current_tenant().config.clients for origin in client.web_origins}


def _client_web_origins() -> list[str]:
    """Return the Allowed Web Origins of the client named in the request body, if any."""
    try:
        client_id = read_params().get("client_id")
    except (ApiError, HTTPException):
        # A malformed or oversized body was already refused by the view; no origin is named.
        return []
    client = current_tenant().config.client(client_id)
    return client.web_origins if client else []
