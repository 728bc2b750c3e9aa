"""Serving the tenant in one process with cheroot's threads; `workers.py` runs several (gunicorn).

Cheroot rather than Werkzeug's development server: Werkzeug answers `Connection: close` to
every request (its serving.py: http.server cannot drain a request body safely), so each
request pays for a new connection and a new thread, on the client's side too. Cheroot, the
server of CherryPy, keeps connections open (HTTP/1.1 keep-alive) and parks the idle ones in a
selector, not in a thread. Measured in bench/README.md ("The server").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from cheroot.workers import threadpool

from .request_log import RequestLog
from .tls import TlsFiles

# Threads kept waiting for work. More would only queue on the GIL and on SQLite's one writer.
IDLE_THREADS = 10
# Connections the system holds before accept(): cheroot's default (5) refuses a burst of clients.
BACKLOG = 128


class GrowingThreadPool(threadpool.ThreadPool):
    """Cheroot's pool of threads, given one more whenever a request would otherwise wait.

    Cheroot's own pool stays at its size unless asked to grow, and its `grow()` sleeps 0.1 s
    per thread: a client that sends half a request holds a thread until it times out (10 s),
    so a few such clients would stop the tenant answering anyone else. Here every request gets
    a thread at once, as with Werkzeug's thread per connection
    (tests/hardening/test_database_file_faults.py), and a thread that finds `IDLE_THREADS`
    others already waiting ends, so a burst leaves no crowd behind. Written here because
    cheroot never calls its own `grow()` (https://github.com/cherrypy/cheroot/issues/190; the
    one plugin that does, cherrypy-dynpool, needs CherryPy). It uses the pool's private parts
    (`_queue`, `_spawn_worker`, `_SHUTDOWNREQUEST`), so cheroot is pinned and
    tests/mock_tenant/test_serving.py fails if a release changes them.
    """

    def __init__(self, server):
        """Make the pool for `server`, with no threads started yet."""
        super().__init__(server, min=IDLE_THREADS)
        self._lock = threading.Lock()
        # Threads waiting in get() minus requests put and not yet taken: below zero, a
        # request has no thread to take it.
        self._free = 0
        self.get = self._get

    def start(self):
        """Start the waiting threads without cheroot's 0.1 s sleep for each to be ready."""
        for _ in range(self.min):
            self._threads.append(self._spawn_worker())

    def put(self, conn):
        """Hand a connection with a request to a thread, starting one if none is free."""
        with self._lock:
            self._free -= 1
            short = self._free < 0
        if short:
            self._clear_dead_threads()
            self._threads.append(self._spawn_worker())
        self._queue.put(conn)

    def _get(self):
        """Wait for the next connection (a worker thread's loop), or end a surplus thread."""
        with self._lock:
            if self._free >= self.min:
                return threadpool._SHUTDOWNREQUEST
            self._free += 1
        return self._queue.get()


def tenant_server(app, host: str, port: int, tls: TlsFiles | None = None) -> wsgi.Server:
    """Build a single-process server for a WSGI app and bind its port now (a busy port fails early).

    Args:
        app: the tenant's WSGI app; may be set later as `server.wsgi_app` (port 0 first).
        host: the address to listen on.
        port: the port, 0 for one the system chooses (`server.bind_addr` tells which).
        tls: serve HTTPS with these files.
    """
    server = wsgi.Server(
        (host, port),
        RequestLog(app) if app else None,
        request_queue_size=BACKLOG,
        server_name="mock_tenant",
    )
    server.requests = GrowingThreadPool(server)
    if tls:
        server.ssl_adapter = BuiltinSSLAdapter(str(tls.cert), str(tls.key))
        server.ssl_adapter.context = tls.server_context()
    server.prepare()
    return server


@contextmanager
def served_in_thread(
    make_app: Callable[[str], object], host: str, port: int = 0, tls: TlsFiles | None = None
) -> Iterator[tuple[str, object]]:
    """Serve `make_app(base_url)` from a thread of this process until the block ends (tests).

    Yields:
        The base URL (its port the one the system chose when `port` is 0) and the app.
    """
    # Bind first, then build the app: the tenant's issuer must name the real port.
    server = tenant_server(None, host, port, tls)
    base_url = f"{'https' if tls else 'http'}://{host}:{server.bind_addr[1]}"
    try:
        app = make_app(base_url)
        server.wsgi_app = RequestLog(app)
    except BaseException:
        server.stop()
        raise
    # Cheroot's stop() waits for its selector loop to notice, up to one `expiration_interval`
    # (0.5 s by default): over a suite's hundreds of tenants that adds up to minutes.
    server.expiration_interval = 0.05
    # Over HTTPS cheroot reads a kept-open connection's next request in a worker thread, and
    # stop() waits for each worker up to `shutdown_timeout` (5 s) before it shuts the read
    # side of the worker's socket. A browser keeps its connections open, so a tenant stopped
    # while a test's page is still open (the pytest plugin's per-test tenant stops before
    # `page`) took 5 s to stop. A request being answered is not cut: shutting the read side
    # leaves the answer's write, and stop() then waits for the worker to finish it.
    server.shutdown_timeout = 0.1
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield base_url, app
    finally:
        server.stop()
        thread.join(timeout=10)
