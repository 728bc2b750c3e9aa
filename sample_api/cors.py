"""CORS for the single-page app: which browser origins may call the API with a bearer token.

Written by hand rather than with a library, so that the whole exchange is on one screen: the browser
asks first (a preflight, because of the `Authorization` header), then sends the real request.
https://fetch.spec.whatwg.org/#http-cors-protocol
"""

from __future__ import annotations

from flask import Response, current_app, request


def _allowed_origin() -> str | None:
    """Return the request's `Origin` if it is on the configured list (never a wildcard)."""
    origin = request.headers.get("Origin")
    return origin if origin in current_app.config["ALLOWED_ORIGINS"] else None


def answer_preflight() -> Response | None:
    """Answer a CORS preflight before routing it to a view (the view would need a token)."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    response = Response(status=204)
    if _allowed_origin():
        # The SPA only reads, and only needs to send its token: allow exactly that.
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Allow-Headers"] = "Authorization"
        response.headers["Access-Control-Max-Age"] = "600"
    # For any other origin the answer carries no CORS headers, so the browser stops there.
    return response


def add_cors_headers(response: Response) -> Response:
    """Let an allowed origin read the answer, including a 401 or 403 and its challenge."""
    # The answer depends on Origin, so caches must keep one copy per origin.
    response.vary.add("Origin")
    origin = _allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        # Scripts see only "safe" headers unless told; the challenge explains a refusal.
        response.headers["Access-Control-Expose-Headers"] = "WWW-Authenticate"
    # No Access-Control-Allow-Credentials: a bearer token needs no cookies.
    return response
