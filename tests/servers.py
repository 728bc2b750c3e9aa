"""Real HTTP servers on loopback ports for tests: the tenant and any other WSGI app."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from werkzeug.serving import make_server

from mock_tenant import create_app, load_config


@dataclass
class LiveServer:
    """A WSGI app served on 127.0.0.1 from a background thread."""

    base_url: str
    app: object

    def url(self, path: str = "/") -> str:
        """Return an absolute URL on this server."""
        return self.base_url + "/" + path.lstrip("/")


@contextmanager
def serve(make_app: Callable[[str], object], host: str = "127.0.0.1") -> Iterator[LiveServer]:
    """Serve `make_app(base_url)` on a free port until the block ends."""
    # Bind first, then build the app: the tenant's issuer must name the real port.
    server = make_server(host, 0, lambda environ, start: [], threaded=True)
    base_url = f"http://{host}:{server.server_port}"
    server.app = make_app(base_url)
    # A short poll interval makes shutdown quick (the default 0.5 s adds up over a suite).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield LiveServer(base_url, server.app)
    finally:
        server.shutdown()
        server.server_close()


class TenantServer(LiveServer):
    """A live mock tenant, with helpers that use its dev API like a test author would."""

    @property
    def issuer(self) -> str:
        """Return the issuer (the base URL with Auth0's trailing slash)."""
        return self.base_url + "/"

    @property
    def tenant(self):
        """Return the Tenant object (its storage, clock and config) for database checks."""
        return self.app.extensions["mock_tenant"]

    def reset(self) -> None:
        """Forget users, codes, tokens, messages and clock changes."""
        requests.post(self.url("_dev/api/reset"), timeout=10).raise_for_status()

    def outbox(self, to: str | None = None) -> list[dict]:
        """Return the messages sent (to one address), newest first."""
        params = {"to": to} if to else {}
        response = requests.get(self.url("_dev/api/outbox"), params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def last_code(self, to: str) -> str:
        """Return the code in the newest message to an address."""
        messages = self.outbox(to)
        assert messages, f"no message was sent to {to}"
        return messages[0]["code"]

    def advance_clock(self, seconds: int) -> None:
        """Move the tenant's clock forward instead of sleeping."""
        response = requests.post(self.url("_dev/api/clock"), json={"advance": seconds}, timeout=10)
        response.raise_for_status()


@contextmanager
def serve_tenant(
    data_dir: Path, config_file: Path | None = None, **settings
) -> Iterator[TenantServer]:
    """Run a mock tenant on `data_dir`, from `config_file` or the bundled one, settings changed."""

    def make_app(base_url: str):
        config = load_config(config_file, issuer=base_url + "/", data_dir=data_dir)
        return create_app(config.with_settings(**settings) if settings else config)

    with serve(make_app) as live:
        yield TenantServer(live.base_url, live.app)
