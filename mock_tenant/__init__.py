"""A local identity tenant that answers like an Auth0 tenant, for learning passwordless login."""

from __future__ import annotations

import datetime
import logging

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException

from . import api, dev, login
from .api import cors
from .api.oauth2 import AuthorizationServer
from .config import TenantConfig, load_config
from .core import control, memo
from .core.storage import StorageBusy
from .core.tenant import Tenant
from .dev import inspector
from .web import ApiError, current_tenant, error_response, host_guard, refuse_oversized_body

log = logging.getLogger("mock_tenant")


def create_app(config: TenantConfig | None = None) -> Flask:
    """Create and configure the tenant's Flask application.

    Args:
        config: the tenant configuration; the bundled `tenant.toml` when left out.

    Returns:
        A WSGI application serving the tenant's API and dev pages.

    """
    config = config or load_config()
    app = Flask(__name__)
    # First of all: a request for another host name is a DNS rebinding attempt (web.py).
    app.before_request(host_guard(config.issuer))
    # Bodies over the cap are refused with 413 before anything reads them.
    app.config["MAX_CONTENT_LENGTH"] = config.tenant.max_body_bytes
    app.before_request(memo.start)
    app.before_request(refuse_oversized_body)

    tenant = Tenant(config)
    # A request's writes are one transaction, committed last (_commit, below).
    app.before_request(tenant.storage.begin_request)
    app.teardown_request(lambda error: _end_request(tenant))
    app.extensions["mock_tenant"] = tenant
    app.extensions["mock_tenant.oauth2"] = AuthorizationServer(tenant)

    # The HTTP surface an Auth0 client talks to, then the hosted login pages.
    app.register_blueprint(api.views.bp)
    # Auth0's Management API, the users part (machine-to-machine tokens).
    app.register_blueprint(api.management.bp)
    app.register_blueprint(login.pages.bp)
    app.register_blueprint(api.cross_origin.bp)
    app.register_blueprint(login.cross_origin.bp)
    app.register_blueprint(login.classic.bp)
    app.register_blueprint(login.logout.bp)
    cors.init_app(app)
    # Flask runs after-request hooks last registered first: the inspector records the
    # answer, _commit commits it with the exchange's writes, then the headers are added
    # (to a 503 from a failed commit too).
    app.after_request(_security_headers)
    app.after_request(lambda response: _commit(tenant, response))
    if config.tenant.dev_api:
        app.register_blueprint(dev.views.bp)
        if config.tenant.inspector:
            inspector.init_app(app)
        app.before_request(_injected_error)
    _register_error_handlers(app)
    app.add_template_filter(_isotime, "isotime")
    app.context_processor(lambda: {"tenant_name": config.tenant.friendly_name})
    return app


def _commit(tenant: Tenant, response):
    """Commit the request's writes before its answer goes out; a failed commit answers 503."""
    try:
        tenant.storage.end_request()
    except StorageBusy as error:
        # The answer a view raising it gets: a page on the login pages, JSON elsewhere.
        return current_app.make_response(current_app.handle_user_exception(error))
    return response


def _end_request(tenant: Tenant) -> None:
    """Forget the request's memo and give its database connection back for the next one."""
    memo.stop()
    tenant.storage.release()


def _injected_error():
    """Answer with the error the dev API injected for this endpoint, once."""
    if request.path in control.INJECTABLE:
        row = control.take_injected_error(current_tenant(), request.path)
        if row is not None:
            return error_response(row["status"], row["error"], row["error_description"])
    return None


def _register_error_handlers(app: Flask) -> None:
    """Answer every failure in Auth0's error shape, never with a traceback."""
    app.register_error_handler(ApiError, lambda error: error.response())
    app.register_error_handler(HTTPException, api.views.handle_http_error)

    app.register_error_handler(StorageBusy, lambda error: _busy_response())

    @app.errorhandler(Exception)
    def unexpected(error):
        """Log an unexpected error on the server and give the client no internals."""
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", "The tenant hit an unexpected error.")


def _busy_response():
    """Fail closed when the database stays locked or refuses a write: 503, try again shortly."""
    return error_response(
        503,
        "temporarily_unavailable",
        "The tenant is busy. Try again in a moment.",
        {"Retry-After": "1"},
    )


def _security_headers(response):
    """Add the headers every tenant response carries (docs/security.md rule 7)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "text/html":
        csp = response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:",
        )
        # X-Frame-Options cannot name an origin: the one page that an app may frame (the
        # web_message answer) says so with its own frame-ancestors, and gets no DENY.
        if "frame-ancestors 'none'" in csp:
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _isotime(timestamp: int) -> str:
    """Format a Unix timestamp as ISO 8601 in UTC for pages."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )


__all__ = ["create_app", "load_config", "TenantConfig"]
