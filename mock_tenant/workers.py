"""Serving the tenant in several worker processes (gunicorn) over one SQLite file.

Its own module so that a single-process start (`serving.py`) never imports gunicorn.
"""

from __future__ import annotations

import logging
import sys
import time

from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError, HaltServer

from . import create_app
from .config import ConfigError, TenantConfig
from .core.storage import StorageBusy
from .request_log import polling
from .tls import TlsFiles

log = logging.getLogger("mock_tenant.workers")

# How long a worker keeps trying to start while another process holds the database's write
# lock; below gunicorn's worker timeout (30 s), which would kill a worker that takes longer.
BOOT_RETRY_SECONDS = 20


class GunicornTenant(BaseApplication):
    """Gunicorn running the tenant in several worker processes over one SQLite file."""

    def __init__(
        self, config: TenantConfig, host: str, port: int, workers: int, tls: TlsFiles | None = None
    ):
        self.config_ = config
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            # Threads per worker: requests mostly wait on SQLite and the network.
            "worker_class": "gthread",
            "threads": 4,
            "accesslog": "-",
            # %(U)s is the path without the query string (no codes or tokens in logs).
            "access_log_format": '"%(m)s %(U)s" %(s)s',
            # No preload: each worker opens its own SQLite connections after the fork.
            "preload_app": False,
            "graceful_timeout": 5,
            # No control socket in the home folder: two tenants would fight over it.
            "control_socket_disable": True,
            # Files the workers create are this user's only (gunicorn's default umask is 0).
            "umask": 0o077,
        }
        if tls:
            self.options.update(certfile=str(tls.cert), keyfile=str(tls.key))
        super().__init__()

    def run(self) -> int:
        """Run gunicorn until it stops, and return the exit status it stopped with."""
        try:
            super().run()
        except HaltServer as halt:
            # Two workers that fail to boot at once (a bad tenant file): gunicorn halts on
            # the first, and its halt() reaps the second and raises again, outside its own
            # handler (arbiter.py: stop -> reap_workers). Each worker has said why.
            print(f"mock_tenant: gunicorn stopped: {halt.reason}", file=sys.stderr)
            return halt.exit_status
        return 0

    def load_config(self):
        """Hand our options to gunicorn."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the app inside each worker process, waiting out a locked database.

        Starting a tenant writes (the secret, the first key, the seed users, each only if
        missing, but inside a write transaction). A worker booting while another process
        holds the write lock (a long transaction, a backup) must not fail: gunicorn treats a
        worker that fails to boot as fatal and stops every worker, so one locked moment
        would take the whole tenant down. Workers boot lazily too, after a crash or restart.
        """
        logging.getLogger("gunicorn.access").addFilter(_not_polling)
        deadline = time.monotonic() + BOOT_RETRY_SECONDS
        while True:
            try:
                return create_app(self.config_)
            except ConfigError as error:
                # Gunicorn prints an AppImportError as one line and stops, with no traceback.
                raise AppImportError(f"mock_tenant: {error}") from None
            except StorageBusy:
                if time.monotonic() >= deadline:
                    raise
                log.warning("The database is locked; this worker tries to start again.")
                time.sleep(0.25)


def _not_polling(record: logging.LogRecord) -> bool:
    """Keep gunicorn's access line unless it is a dev page's polling (its atoms: U, {header}i)."""
    atoms = record.args if isinstance(record.args, dict) else {}
    return not polling(atoms.get("U", ""), atoms.get("{sec-fetch-site}i"))
