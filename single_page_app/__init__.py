"""A single-page app served by a tiny Flask server: the page, its ES modules, auth0-spa-js, config.

The server holds no session and sees no token: everything about login happens in the browser,
in `js/auth.js`, with Auth0's own SDK. The server only hands out static files, `/config.json`
and the security headers that keep the page's scripts to those files.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app

from . import settings, views


def create_app(config: Mapping | None = None) -> Flask:
    """Create and configure the SPA's Flask application.

    Args:
        config: settings that win over the defaults and the environment, such as
            `{"AUTH0_DOMAIN": "http://127.0.0.1:4000"}` (names in `single_page_app/settings.py`).

    Returns:
        A WSGI application serving `/`, `/js/...`, `/vendor/...` and `/config.json`.

    """
    app = Flask(__name__, static_folder=None)
    app.config.update(settings.load(config))
    # DNS rebinding: a page on evil.example whose name comes to resolve to 127.0.0.1 reaches
    # this server with "Host: evil.example". Flask checks every request's Host against the
    # TRUSTED_HOSTS setting and answers 400 otherwise.
    # https://flask.palletsprojects.com/en/stable/config/#TRUSTED_HOSTS
    app.config["CONTENT_SECURITY_POLICY"] = content_security_policy(
        settings.origin(app.config["TENANT_BASE_URL"]), settings.origin(app.config["API_URL"])
    )
    app.register_blueprint(views.bp)
    app.after_request(_security_headers)
    return app


def content_security_policy(tenant_origin: str, api_origin: str) -> str:
    """Build the page's CSP: our own scripts only, and fetch only to the tenant and the API."""
    # https://www.w3.org/TR/CSP3/ : no inline script, so an injected <script> or onerror=
    # attribute does not run even if some value were ever rendered as HTML.
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            # auth0-spa-js calls the tenant's /oauth/token and /oauth/revoke; the app calls the API.
            f"connect-src 'self' {tenant_origin} {api_origin}",
            # The SDK's token worker, served from /vendor/ (its `workerUrl` option), not a blob:.
            "worker-src 'self'",
            # No silent-login iframe (useRefreshTokensFallback is off), no plugins, no framing.
            "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def _security_headers(response):
    """Add the headers every answer carries; the worker script gets the page's CSP too."""
    response.headers.setdefault(
        "Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"]
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # The page is loaded with ?code=...&state=... once: send no Referer, so they go nowhere.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


__all__ = ["create_app"]
