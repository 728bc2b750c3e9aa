"""Start a tenant for a test: a config given as data, a free port, a data directory of its own."""

from __future__ import annotations

import copy
import threading
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from .. import create_app
from ..config import ConfigError, TenantConfig, load_config
from ..serving import QuietRequestHandler
from .handle import LocalTenant

# The two passwordless connections, as Auth0 creates them: codes of 6 digits by email and SMS.
# https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp
DEFAULT_CONNECTIONS = [
    {"name": "email", "strategy": "email", "send": "code"},
    {"name": "sms", "strategy": "sms", "send": "code"},
]
# The sections a test may replace whole; `settings` is merged into `[tenant]` instead.
SECTIONS = ("clients", "client_grants", "connections", "resource_servers", "users")


def tenant_config(
    base: Mapping | str | Path | None = None, *, settings: Mapping | None = None, **sections
) -> dict:
    """Return a tenant config as data, in the shape of tenant.toml.

    Args:
        base: a config to start from: data, or the path of a tenant TOML file; by default
            the email and sms connections, no applications, no users.
        settings: `[tenant]` settings to change (`otp_lifetime`, `profile`, ...).
        **sections: `clients`, `client_grants`, `connections`, `resource_servers` or
            `users` to replace.

    """
    if base is None:
        data = {"tenant": {"friendly_name": "Test tenant"}, "clients": [], "users": []}
        data["connections"] = copy.deepcopy(DEFAULT_CONNECTIONS)
    elif isinstance(base, str | Path):
        data = tomllib.loads(Path(base).read_text(encoding="utf-8"))
    else:
        data = copy.deepcopy(dict(base))
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise TypeError(f"unknown config sections {sorted(unknown)}; known: {SECTIONS}")
    data.update(copy.deepcopy(sections))
    data["tenant"] = {**data.get("tenant", {}), **(settings or {})}
    return data


@contextmanager
def run_tenant(
    config: Mapping, data_dir: str | Path, host: str = "127.0.0.1"
) -> Iterator[LocalTenant]:
    """Serve a tenant from `config` (see `tenant_config`) on a free port until the block ends.

    The tenant runs in this process, in a thread, its SQLite file under `data_dir`.

    Raises:
        ConfigError: the config does not validate (the message names the field).

    """
    # Bind first, then build the app: the issuer must name the port the system chose.
    server = make_server(
        host, 0, lambda environ, start: [], threaded=True, request_handler=QuietRequestHandler
    )
    base_url = f"http://{host}:{server.server_port}"
    try:
        server.app = create_app(_validated(config, issuer=base_url + "/", data_dir=data_dir))
    except BaseException:
        server.server_close()
        raise
    # A short poll interval makes stopping quick (the default half second adds up).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield LocalTenant(base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _validated(config: Mapping, **runtime) -> TenantConfig:
    """Check a config given as data exactly as `load_config` checks a file."""
    if isinstance(config, str | Path):
        return load_config(config, **runtime)
    data = {**copy.deepcopy(dict(config)), **{k: str(v) for k, v in runtime.items()}}
    try:
        return TenantConfig.model_validate(data)
    except ValueError as error:
        raise ConfigError(f"invalid tenant configuration given by the test:\n{error}") from None
