"""A protected API (resource server): it accepts the tenant's access tokens for its audience."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from . import settings, views
from .auth import BearerError
from .validator import AccessTokenValidator, KeysUnavailableError

log = logging.getLogger("sample_api")


def create_app(config: Mapping | None = None) -> Flask:
    """Create and configure the API's Flask application.

    Args:
        config: settings that win over the defaults and the environment, such as
            `{"AUTH0_DOMAIN": "http://127.0.0.1:4000"}` (names in `sample_api/settings.py`).

    Returns:
        A WSGI application serving `/api/public`, `/api/private` and `/api/private-scoped`.

    """
    app = Flask(__name__)
    app.config.update(settings.load(config))
    # DNS rebinding: a page on evil.example whose name comes to resolve to 127.0.0.1 reaches
    # this server with "Host: evil.example". Flask checks every request's Host against the
    # TRUSTED_HOSTS setting and answers 400 otherwise.
    # https://flask.palletsprojects.com/en/stable/config/#TRUSTED_HOSTS
    base_url = settings.tenant_base_url(app.config["AUTH0_DOMAIN"])
    # Auth0's issuer is the tenant's base URL with a trailing slash, and its keys sit at a
    # fixed path (https://auth0.com/docs/secure/tokens/json-web-tokens/json-web-key-sets).
    # Using that path, not the discovery document, keeps start-up free of network calls.
    app.extensions["sample_api.validator"] = AccessTokenValidator(
        issuer=base_url + "/",
        audience=app.config["AUTH0_AUDIENCE"],
        jwks_url=base_url + "/.well-known/jwks.json",
        cache_lifespan=float(app.config["JWKS_CACHE_LIFESPAN"]),
        cooldown=float(app.config["JWKS_COOLDOWN"]),
    )
    app.register_blueprint(views.bp)
    _register_error_handlers(app)
    return app


def _error(status: int, error: str, description: str, headers: dict | None = None) -> Response:
    """Return Auth0's error shape, `{"error", "error_description"}`, with a status."""
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=status, mimetype="application/json", headers=headers)


def _register_error_handlers(app: Flask) -> None:
    """Answer every failure as JSON, never with a traceback (docs/security.md rule 15)."""
    app.register_error_handler(BearerError, lambda error: error.response())

    @app.errorhandler(KeysUnavailableError)
    def keys_unavailable(error):
        """Fail closed when the tenant's keys cannot be fetched: 503, try again shortly."""
        log.warning("Cannot fetch the tenant's signing keys: %s", error)
        return _error(
            503,
            "temporarily_unavailable",
            "The API cannot reach the tenant to check the access token. Try again shortly.",
            {"Retry-After": "5"},
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        """Render Werkzeug's errors (404, 405, ...) as JSON."""
        name = error.name.lower().replace(" ", "_")
        return _error(error.code or 500, name, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error):
        """Log an unexpected error on the server and tell the caller nothing more."""
        log.exception("Unhandled error")
        return _error(500, "server_error", "The API hit an unexpected error.")


__all__ = ["create_app"]
