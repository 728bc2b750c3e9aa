"""Start a tenant for a test: a config given as data, a free port, a data directory of its own."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .. import create_app
from ..config import ConfigError, TenantConfig, check_classic, load_config
from ..serving import served_in_thread
from ..tls import tls_files
from .handle import LocalTenant

# The two passwordless connections, as Auth0 creates them: codes of 6 digits by email and SMS.
# https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp
DEFAULT_CONNECTIONS = [
    {"name": "email", "strategy": "email", "send": "code"},
    {"name": "sms", "strategy": "sms", "send": "code"},
]
# The sections a test may replace whole; `settings` is merged into `[tenant]` instead.
SECTIONS = ("clients", "client_grants", "connections", "prompts", "resource_servers", "users")
# The key of a config given as data that is no tenant file setting but the command's `--tls`.
TLS = "tls"


def tenant_config(
    base: Mapping | str | Path | None = None,
    *,
    settings: Mapping | None = None,
    tls: bool | None = None,
    **sections,
) -> dict:
    """Return a tenant config as data, in the shape of tenant.toml.

    Args:
        base: a config to start from: data, or the path of a tenant TOML file; by default
            the email and sms connections, no applications, no users.
        settings: `[tenant]` settings to change (`otp_lifetime`, `profile`, ...).
        tls: serve HTTPS with a local CA (the command's `--tls`); by default only when
            `prompts` chooses the Classic experience, which needs it.
        **sections: `clients`, `client_grants`, `connections`, `prompts`,
            `resource_servers` or `users` to replace.

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
    if tls is not None:
        data[TLS] = tls
    return data


def wants_tls(config: Mapping | str | Path) -> bool:
    """Tell whether a config (data or a tenant file) asks for HTTPS, or needs it for Classic."""
    if isinstance(config, str | Path):
        config = tomllib.loads(Path(config).read_text(encoding="utf-8"))
    if TLS in config:
        return bool(config[TLS])
    # auth0-js and auth0-lock reach a hosted page's tenant over https only
    # (mock_tenant/config.py: check_classic), so Classic turns TLS on as `make run-web` does.
    experience = config.get("prompts", {}).get("universal_login_experience")
    return experience == "classic"


def experience_name(config: TenantConfig) -> str | None:
    """Return the login experience the tenant shows: "new", "classic-lock", "classic-custom-ui".

    None for a Classic page of the developer's own, which the Playwright helper recognizes
    from the page itself.
    """
    if config.prompts.universal_login_experience == "new":
        return "new"
    return {"lock-passwordless": "classic-lock", "custom-ui": "classic-custom-ui"}.get(
        config.prompts.custom_login_page
    )


@contextmanager
def run_tenant(
    config: Mapping, data_dir: str | Path, host: str = "127.0.0.1"
) -> Iterator[LocalTenant]:
    """Serve a tenant from `config` (see `tenant_config`) on a free port until the block ends.

    The tenant runs in this process, in a thread, its SQLite file under `data_dir`. With
    HTTPS (`tenant_config(tls=True)`, or the Classic experience) its certificate comes from
    a local CA made in `data_dir/tls` (mock_tenant/tls.py), whose path the handle gives as
    `ca_bundle`.

    Raises:
        ConfigError: the config does not validate (the message names the field).

    """
    files = tls_files(data_dir) if wants_tls(config) else None
    validated = None

    def make_app(base_url: str):
        """Build the tenant for the port the server was given."""
        nonlocal validated
        validated = _validated(config, issuer=base_url + "/", data_dir=data_dir)
        return create_app(validated)

    with served_in_thread(make_app, host, tls=files) as (base_url, _):
        yield LocalTenant(
            base_url,
            ca_bundle=str(files.ca) if files else None,
            experience=experience_name(validated),
        )


def _validated(config: Mapping, **runtime) -> TenantConfig:
    """Check a config given as data exactly as `load_config` checks a file."""
    if isinstance(config, str | Path):
        return load_config(config, **runtime)
    data = {**copy.deepcopy(dict(config)), **{k: str(v) for k, v in runtime.items()}}
    data.pop(TLS, None)
    try:
        validated = TenantConfig.model_validate(data)
    except ValueError as error:
        raise ConfigError(f"invalid tenant configuration given by the test:\n{error}") from None
    # The checks of a tenant file that pydantic does not make: a Classic page that can work.
    check_classic(validated)
    return validated
