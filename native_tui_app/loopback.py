"""A one-shot HTTP listener on a loopback port: where the browser brings the login back.

https://www.rfc-editor.org/rfc/rfc8252#section-7.3 (loopback interface redirection): the
native app listens on the loopback address only, on a port the OS picks, accepts the one
authorization response it is waiting for, and then stops listening. Binding the loopback
address alone keeps other machines from reaching it
(https://www.rfc-editor.org/rfc/rfc8252#section-8.3). `client.py` decides the address and
path; this module only knows how to wait for one request.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .errors import BrowserLoginFailed

# What the browser tab shows once it has handed over the response. It repeats nothing from
# the request, so nothing an attacker puts in the URL can end up in the page.
DONE_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back to the terminal</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>You can close this tab</h1>
<p>The login went back to the terminal app. Return there to see the result.</p>
</body></html>
"""


class _OneShotServer(ThreadingHTTPServer):
    """An HTTP server that keeps the query of the first request to its path, and only that."""

    daemon_threads = True

    def __init__(self, host: str, path: str):
        # Threads per connection: a browser may open a speculative connection and send
        # nothing on it, which must not block the real callback behind it.
        super().__init__((host, 0), _CallbackHandler)
        self.path = path
        self.params: dict[str, str] | None = None
        self.received = threading.Event()
        self.lock = threading.Lock()


class _CallbackHandler(BaseHTTPRequestHandler):
    """Take the authorization response from the first GET on the callback path."""

    server: _OneShotServer

    def do_GET(self):
        """Record the first callback's query parameters; refuse every other request."""
        url = urllib.parse.urlsplit(self.path)
        with self.server.lock:
            first = url.path == self.server.path and self.server.params is None
            if first:
                # keep_blank_values: an empty `state=` must arrive as "" and fail the check.
                self.server.params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if not first:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        # The URL held a code: keep the page out of caches and out of any Referer.
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Length", str(len(DONE_PAGE)))
        self.end_headers()
        self.wfile.write(DONE_PAGE)
        self.server.received.set()

    def log_message(self, format, *args):
        """Log nothing: request lines carry the authorization code (and stderr is the TUI)."""


class LoopbackListener:
    """Listen on `host` (a loopback address) and a free port for one GET on `path`.

    Use it as a context manager: listening starts on entry and stops on exit, whatever
    happened, so no port stays open after a login attempt.
    """

    def __init__(self, host: str, path: str):
        self._server = _OneShotServer(host, path)
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> LoopbackListener:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop serving and close the socket."""
        self.close()

    def wait(self, timeout: float, cancel: threading.Event | None = None) -> dict[str, str]:
        """Block until the callback arrives and return its query parameters.

        Raises:
            BrowserLoginFailed: on timeout, or when `cancel` is set.

        """
        deadline = time.monotonic() + timeout
        # Short waits in a loop, so a cancel from the interface is noticed quickly.
        while not self._server.received.wait(0.05):
            if cancel is not None and cancel.is_set():
                raise BrowserLoginFailed("Browser login cancelled.")
            if time.monotonic() >= deadline:
                raise BrowserLoginFailed(
                    f"The browser did not come back within {timeout:g} seconds."
                )
        return dict(self._server.params or {})

    def close(self) -> None:
        """Stop listening; later connections to the port are refused."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
