"""Serving the tenant in one threaded process (Werkzeug); `workers.py` runs several (gunicorn)."""

from __future__ import annotations

import logging

from werkzeug.serving import WSGIRequestHandler, make_server

from . import create_app
from .config import TenantConfig
from .tls import TlsFiles

# The JSON the dev pages poll (static/outbox.js, inspector.js, dev.js).
POLLED_PATHS = frozenset({"/_dev/api/outbox", "/_dev/api/events", "/_dev/api/clock"})


class QuietRequestHandler(WSGIRequestHandler):
    """Log each request as method, path and status, never its query string."""

    def log_request(self, code="-", size="-"):
        """Log one line without the query string: codes and tokens can travel in URLs."""
        path = self.path.split("?", 1)[0]
        if polling(path, self.headers.get("Sec-Fetch-Site")):
            return
        self.log("info", '"%s %s" %s', self.command, path, getattr(code, "value", code))

    def log(self, type: str, message: str, *args) -> None:
        """Log through `logging` without Werkzeug's own date: the format holds the one time."""
        getattr(logging.getLogger("werkzeug"), type)(f"{self.address_string()} {message}", *args)


def polling(path: str, fetch_site: str | None) -> bool:
    """Tell a dev page's own polling (outbox, inspector, clock banner) from a request to log.

    Those pages fetch their JSON every few seconds from the tenant's own origin: logged, they
    would bury the protocol requests. A browser marks such a fetch `Sec-Fetch-Site:
    same-origin` (https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header); curl and the
    apps send no such header, so the same paths asked from a terminal are still logged.
    """
    return path in POLLED_PATHS and fetch_site == "same-origin"


def werkzeug_server(config: TenantConfig, host: str, port: int, tls: TlsFiles | None = None):
    """Build a threaded single-process server (binds now, so a busy port fails early)."""
    return make_server(
        host,
        port,
        create_app(config),
        threaded=True,
        request_handler=QuietRequestHandler,
        ssl_context=tls.server_context() if tls else None,
    )
