"""The tenant's request log: one line per request (address, method, path, status), no query."""

from __future__ import annotations

import logging

log = logging.getLogger("mock_tenant.requests")

# The JSON the dev pages poll (static/outbox.js, inspector.js, dev.js).
POLLED_PATHS = frozenset({"/_dev/api/outbox", "/_dev/api/events", "/_dev/api/clock"})


class RequestLog:
    """WSGI middleware logging each request without its query string (codes travel in URLs)."""

    def __init__(self, app):
        """Wrap the tenant's WSGI app."""
        self.app = app

    def __call__(self, environ, start_response):
        """Log the request once its status is known, then answer it as the app does."""

        def start(status, headers, exc_info=None):
            """Log the line, then start the response."""
            # REQUEST_URI is the path as sent, still percent-encoded: a decoded %0A could
            # forge a second log line.
            path = environ.get("REQUEST_URI", environ.get("PATH_INFO", "")).split("?", 1)[0]
            if not polling(path, environ.get("HTTP_SEC_FETCH_SITE")):
                log.info(
                    '%s "%s %s" %s',
                    environ.get("REMOTE_ADDR", "-"),
                    environ.get("REQUEST_METHOD"),
                    path,
                    status.split(" ", 1)[0],
                )
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def polling(path: str, fetch_site: str | None) -> bool:
    """Tell a dev page's own polling (outbox, inspector, clock banner) from a request to log.

    Those pages fetch their JSON every few seconds from the tenant's own origin: logged, they
    would bury the protocol requests. A browser marks such a fetch `Sec-Fetch-Site:
    same-origin` (https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header); curl and the
    apps send no such header, so the same paths asked from a terminal are still logged.
    """
    return path in POLLED_PATHS and fetch_site == "same-origin"
