"""Real HTTP servers on loopback ports for tests: the tenant and any other WSGI app."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from werkzeug.serving import make_server

import sample_api
from mock_tenant import create_app, load_config
from mock_tenant.config import DEFAULT_CONFIG_FILE
from mock_tenant.core import key_pool
from mock_tenant.core.tenant import Tenant
from mock_tenant.serving import served_in_thread
from mock_tenant.tls import tls_files
from tests.constants import API_AUDIENCE
from tools.launcher import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[1]


def tenant_workers() -> int:
    """Return how many worker processes test tenants run with (env TENANT_WORKERS, default 1).

    1 serves the tenant in this process (Werkzeug, in a thread); more runs
    `python -m mock_tenant --workers N` (gunicorn) as a subprocess.
    """
    return int(os.environ.get("TENANT_WORKERS") or "1")


def without_tenant_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """Drop the learner's MOCK_TENANT_* settings from an environment for a tenant under test.

    The test key pool's two variables stay, so that a tenant subprocess takes its RSA keys
    from the run's pool as one in the test process does (mock_tenant/core/key_pool.py).
    """
    keep = {key_pool.POOL_ENV, key_pool.RUN_ENV}
    return {k: v for k, v in environ.items() if not k.startswith("MOCK_TENANT_") or k in keep}


@dataclass
class LiveServer:
    """A WSGI app served on 127.0.0.1 from a background thread."""

    base_url: str
    app: object

    def url(self, path: str = "/") -> str:
        """Return an absolute URL on this server."""
        return self.base_url + "/" + path.lstrip("/")


@contextmanager
def serve(
    make_app: Callable[[str], object],
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[LiveServer]:
    """Serve `make_app(base_url)` on `port` (a free one by default) until the block ends."""
    # Bind first, then build the app: an app may need its own URL (a redirect URI).
    server = make_server(host, port, lambda environ, start: [], threaded=True)
    base_url = f"http://{host}:{server.server_port}"
    server.app = make_app(base_url)
    # shutdown() waits for the loop's next poll: the default 0.5 s adds up over a suite, and
    # so did 0.05 s, with many tests stopping two such servers (an app and a fake tenant):
    # 7.8 s of teardown over the sample API's and the token-checking files, 1.7 s at 0.01 s.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield LiveServer(base_url, server.app)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class TenantServer(LiveServer):
    """A live mock tenant, with helpers that use its dev API like a test author would."""

    # For a tenant running in other processes (app is None): a Tenant object of this
    # process over the same data directory, for database checks (SQLite makes that safe).
    own_tenant: Tenant | None = None
    # For a tenant serving HTTPS (`tls=True`): the local CA that signed its certificate.
    ca_bundle: str | None = None

    @property
    def verify(self) -> str | bool:
        """Return what `requests` should verify this tenant's certificate with."""
        return self.ca_bundle or True

    @property
    def issuer(self) -> str:
        """Return the issuer (the base URL with Auth0's trailing slash)."""
        return self.base_url + "/"

    @property
    def tenant(self):
        """Return the Tenant object (its storage, clock and config) for database checks."""
        if self.own_tenant is not None:
            return self.own_tenant
        return self.app.extensions["mock_tenant"]

    def reset(self) -> None:
        """Forget users, codes, tokens, messages and clock changes, as the dev API's reset does."""
        # A tenant app in this process (not wrapped by a test): the call that endpoint makes,
        # without a round trip over HTTP before every test (0.6 ms against 4 ms). The endpoint
        # has tests of its own; tenants in other processes (TENANT_WORKERS) still go through it.
        if in_process := getattr(self.app, "extensions", {}).get("mock_tenant"):
            in_process.reset()
            return
        requests.post(
            self.url("_dev/api/reset"), json={}, timeout=10, verify=self.verify
        ).raise_for_status()

    def outbox(self, to: str | None = None) -> list[dict]:
        """Return the messages sent (to one address), newest first."""
        params = {"to": to} if to else {}
        response = requests.get(
            self.url("_dev/api/outbox"), params=params, timeout=10, verify=self.verify
        )
        response.raise_for_status()
        return response.json()

    def last_code(self, to: str) -> str:
        """Return the code in the newest message to an address."""
        messages = self.outbox(to)
        assert messages, f"no message was sent to {to}"
        return messages[0]["code"]

    def advance_clock(self, seconds: int) -> None:
        """Move the tenant's clock forward instead of sleeping."""
        response = requests.post(
            self.url("_dev/api/clock"), json={"advance": seconds}, timeout=10, verify=self.verify
        )
        response.raise_for_status()


@contextmanager
def serve_tenant(
    data_dir: Path,
    config_file: Path | None = None,
    workers: int | None = None,
    tls: bool = False,
    port: int = 0,
    **settings,
) -> Iterator[TenantServer]:
    """Run a mock tenant on `data_dir`, from `config_file` or the bundled one, settings changed.

    With `workers` (default: env TENANT_WORKERS) above 1 the tenant runs as
    `python -m mock_tenant --workers N` in subprocesses instead of in this process. With
    `tls` it serves HTTPS with the local CA in `data_dir/tls` (as `--tls` does). `port`
    pins the port (the screenshots show it); by default a free one is picked.
    """
    workers = tenant_workers() if workers is None else workers
    if workers > 1:
        process = TenantProcess(
            data_dir, config_file, workers=workers, tls=tls, port=port or None, **settings
        )
        try:
            yield process.start()
        finally:
            # Thrown away with its data, so killed (as a crash would: that the data survives
            # one is tested in tests/hardening) rather than stopped: gunicorn's graceful stop
            # takes 0.5 s and, while a client keeps a connection open, 2.5 s (its gthread
            # worker's STOP_KEEPALIVE_LINGER); 55 stops were 46 s of a second pass.
            process.kill()
        return

    def make_app(base_url: str):
        config = load_config(config_file, issuer=base_url + "/", data_dir=data_dir)
        return create_app(config.with_settings(**settings) if settings else config)

    # Served as `python -m mock_tenant` serves it (cheroot), from a thread of this process.
    files = tls_files(data_dir) if tls else None
    with served_in_thread(make_app, "127.0.0.1", port, files) as (base_url, app):
        yield TenantServer(base_url, app, ca_bundle=str(files.ca) if files else None)


class TenantProcess:
    """`python -m mock_tenant` as a subprocess (gunicorn when workers > 1), on a fixed port.

    The port stays the same across `kill()` and `start()`, so a browser session or a client
    can go on after a restart. The process runs in its own process group: `kill()` sends
    SIGKILL to the arbiter and every worker at once, as a crash or an OOM kill would.
    """

    def __init__(
        self,
        data_dir: Path,
        config_file: Path | None = None,
        *,
        workers: int = 1,
        port: int | None = None,
        tls: bool = False,
        **settings,
    ):
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.port = port or free_port()
        self.tls = tls
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.config_file = Path(config_file) if config_file else DEFAULT_CONFIG_FILE
        if settings:
            changed = self.data_dir.parent / f"{self.data_dir.name}-config.toml"
            changed.write_text(_toml_with_settings(self.config_file, settings))
            self.config_file = changed
        env = without_tenant_settings(os.environ)
        # The output goes to a pipe, not a file: a test may limit the tenant's file sizes
        # (RLIMIT_FSIZE). The launcher keeps its last lines for `log()`.
        self.process = ServerProcess(
            [
                sys.executable,
                "-m",
                "mock_tenant",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                "--workers",
                str(workers),
                "--config",
                str(self.config_file),
                *(["--tls"] if tls else []),
            ],
            self.base_url + "/.well-known/openid-configuration",
            name="tenant",
            env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
            cwd=ROOT,
            # Made here rather than by the tenant, so the readiness check can verify it.
            verify=str(tls_files(self.data_dir).ca) if tls else True,
        )
        self.server: TenantServer | None = None

    def start(self, timeout: float = 30) -> TenantServer:
        """Start the tenant, wait until it answers, and return a TenantServer for it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process.start(timeout)
        if self.server is None:
            config = load_config(
                self.config_file, issuer=self.base_url + "/", data_dir=self.data_dir
            )
            self.server = TenantServer(
                self.base_url,
                app=None,
                own_tenant=Tenant(config),
                ca_bundle=str(tls_files(self.data_dir).ca) if self.tls else None,
            )
        return self.server

    def kill(self) -> None:
        """SIGKILL the tenant and all its workers (a crash: no cleanup, no final checkpoint)."""
        self.process.kill()

    def stop(self) -> None:
        """Stop the tenant gracefully (SIGTERM), or kill it if it does not stop in time."""
        self.process.stop()

    def log(self) -> str:
        """Return the last lines the tenant printed."""
        return self.process.output()


def replace_once(text: str, replacements: dict[str, str]) -> str:
    """Replace each key of `replacements` in the text by its value, in one pass."""
    # Two str.replace calls in a row would rewrite what the first one wrote whenever a new
    # value contains an old one (a port 40003 contains 4000, a test origin may be a default).
    keys = sorted(replacements, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(key) for key in keys))
    return pattern.sub(lambda match: replacements[match[0]], text)


def _toml_with_settings(config_file: Path, settings: dict) -> str:
    """Return a tenant file's TOML with some `[tenant]` settings replaced (for --config)."""
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    data.setdefault("tenant", {}).update(settings)
    return "".join(f"{json.dumps(key)} = {_toml_value(value)}\n" for key, value in data.items())


def _toml_value(value) -> str:
    """Write a value parsed from TOML back as an inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON's string escapes are valid in TOML basic strings.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def serve_sample_api(tenant: TenantServer, origins: Iterable[str] = (), **serve_options):
    """Serve the sample API trusting `tenant`, answering CORS for `origins` (a context manager)."""
    settings = {"AUTH0_DOMAIN": tenant.base_url, "AUTH0_AUDIENCE": API_AUDIENCE}
    if origins:
        settings["ALLOWED_ORIGINS"] = list(origins)
    return serve(lambda url: sample_api.create_app(settings), **serve_options)
