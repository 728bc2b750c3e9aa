"""A one-shot HTTP listener on a loopback port: where the browser brings the login back.

https://www.rfc-editor.org/rfc/rfc8252#section-7.3 (loopback interface redirection): the
native app listens on the loopback address only, on a port the OS picks, accepts the one
authorization response it is waiting for, and then stops listening. Binding the loopback
address alone keeps other machines from reaching it
(https://www.rfc-editor.org/rfc/rfc8252#section-8.3). Any program on this machine can still
reach the port, so an answer whose `state` is not the one this login sent is ignored and the
listener keeps waiting for the right one (https://www.rfc-editor.org/rfc/rfc8252#section-8.9):
a stray or hostile request must not end the login. `client.py` decides the address, path and
state; this module only knows how to wait for the one matching request.
"""

from __future__ import annotations

import secrets
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
# What a callback with another state gets: it is not the login in progress, which goes on.
IGNORED_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Answer ignored</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>This answer was ignored</h1>
<p>It does not belong to the login the terminal app is waiting for, which goes on.</p>
</body></html>
"""


class _OneShotServer(ThreadingHTTPServer):
    """An HTTP server that keeps the query of the first request with the expected state."""

    daemon_threads = True

    def __init__(self, host: str, path: str, state: str):
        # Threads per connection: a browser may open a speculative connection and send
        # nothing on it, which must not block the real callback behind it.
        super().__init__((host, 0), _CallbackHandler)
        self.path = path
        self.state = state
        self.params: dict[str, str] | None = None
        self.ignored = 0
        self.received = threading.Event()
        self.lock = threading.Lock()


class _CallbackHandler(BaseHTTPRequestHandler):
    """Take the authorization response from the first GET on the callback path with our state."""

    server: _OneShotServer

    def do_GET(self):
        """Record the matching callback's query; ignore other states; refuse anything else."""
        url = urllib.parse.urlsplit(self.path)
        if url.path != self.server.path:
            self.send_error(404)
            return
        # keep_blank_values: an empty `state=` must arrive as "" and fail the comparison.
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        # https://www.rfc-editor.org/rfc/rfc6749#section-10.12: only the state this login
        # sent ties an answer to it; compared in constant time, like a secret.
        matches = secrets.compare_digest(
            params.get("state", "").encode(), self.server.state.encode()
        )
        with self.server.lock:
            waiting = self.server.params is None
            if waiting and matches:
                self.server.params = params
            elif waiting:
                self.server.ignored += 1
        if not waiting:
            # The login already has its answer: the listener is about to close.
            self.send_error(404)
        elif matches:
            self._page(200, DONE_PAGE)
            self.server.received.set()
        else:
            self._page(400, IGNORED_PAGE)

    def _page(self, status: int, body: bytes) -> None:
        """Send a small HTML page that no cache keeps and no Referer carries further."""
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        # The URL held a code: keep the page out of caches and out of any Referer.
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Log nothing: request lines carry the authorization code (and stderr is the TUI)."""


class LoopbackListener:
    """Listen on `host` (a loopback address) and a free port for one GET on `path`.

    Only a GET whose `state` parameter equals `state` ends the wait; others are answered
    with a short "ignored" page. Use it as a context manager: listening starts on entry and
    stops on exit, whatever happened, so no port stays open after a login attempt.
    """

    def __init__(self, host: str, path: str, state: str):
        self._server = _OneShotServer(host, path, state)
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

    @property
    def ignored(self) -> int:
        """Return how many callbacks came with another state (or none) and were ignored."""
        return self._server.ignored

    def wait(self, timeout: float, cancel: threading.Event | None = None) -> dict[str, str]:
        """Block until the callback with our state arrives and return its query parameters.

        Raises:
            BrowserLoginFailed: on timeout, or when `cancel` is set.

        """
        deadline = time.monotonic() + timeout
        # Short waits in a loop, so a cancel from the interface is noticed quickly.
        while not self._server.received.wait(0.05):
            if cancel is not None and cancel.is_set():
                raise BrowserLoginFailed("Browser login cancelled.")
            if time.monotonic() >= deadline:
                raise BrowserLoginFailed(self._timeout_message(timeout))
        return dict(self._server.params or {})

    def _timeout_message(self, timeout: float) -> str:
        """Say the browser did not come back, and whether answers with a wrong state did."""
        message = f"The browser did not come back within {timeout:g} seconds."
        if self.ignored:
            message += f" {self.ignored} answer(s) with a state this app did not send were ignored."
        return message

    def close(self) -> None:
        """Stop listening; later connections to the port are refused."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
