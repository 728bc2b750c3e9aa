"""Serving the tenant in one threaded process (Werkzeug); `workers.py` runs several (gunicorn)."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler, make_server

from . import create_app
from .config import TenantConfig
from .tls import TlsFiles


class QuietRequestHandler(WSGIRequestHandler):
    """Log each request as method, path and status, never its query string."""

    def log_request(self, code="-", size="-"):
        """Log one line without the query string: codes and tokens can travel in URLs."""
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, getattr(code, "value", code))


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
