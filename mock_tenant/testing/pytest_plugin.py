"""pytest plugin: a live tenant per session or per test, configured by the test's project.

Loaded through the `pytest11` entry point of the `passwordless-tenant` distribution.
Every name starts with `passwordless_tenant`, so it stays clear of a project's own
fixtures (the demo suite's `tenant_server` among them).
https://docs.pytest.org/en/stable/how-to/writing_plugins.html
"""

from __future__ import annotations

import contextlib
import json

import pytest

from .handle import LocalTenant
from .server import run_tenant, tenant_config

MARKER = "passwordless_tenant"


def pytest_configure(config):
    """Register the marker that gives one test a tenant of its own."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(settings=None, tls=None, clients=..., connections=..., prompts=..., "
        "users=..., resource_servers=...): run this test against a tenant of its own, "
        "started from passwordless_tenant_config with these changes (passwordless-tenant "
        "plugin)",
    )


@pytest.fixture(scope="session")
def passwordless_tenant_config() -> dict:
    """Return the tenant config the session's tenant starts from; override it in conftest.py.

    The default has the email and sms connections and no applications: a project's
    conftest.py returns `mock_tenant.testing.tenant_config(clients=[...], users=[...])`.
    """
    return tenant_config()


class TenantPool:
    """The session's tenants, one per distinct config, each started when first asked for.

    A test module may override `passwordless_tenant_config`; pytest then gives its tests that
    config, but a session-scoped fixture computed from it would keep the first module's
    value. Keying the tenants by their config gives each config its own tenant instead.
    """

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.stack = contextlib.ExitStack()
        self.tenants: dict[str, LocalTenant] = {}

    def get(self, config) -> LocalTenant:
        """Return the running tenant for this config, starting it the first time."""
        key = json.dumps(config, sort_keys=True, default=str)
        if key not in self.tenants:
            data_dir = self.tmp_path_factory.mktemp("passwordless-tenant")
            self.tenants[key] = self.stack.enter_context(run_tenant(config, data_dir))
        return self.tenants[key]

    def close(self) -> None:
        """Stop every tenant."""
        self.stack.close()


@pytest.fixture(scope="session")
def passwordless_tenant_pool(tmp_path_factory):
    """Run the session's tenants (one per config) and stop them all when the session ends."""
    pool = TenantPool(tmp_path_factory)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def passwordless_tenant_session(passwordless_tenant_pool, passwordless_tenant_config):
    """Return the session's tenant, never reset, for session-scoped fixtures of your own.

    Started from the `passwordless_tenant_config` of your conftest.py: a session fixture is
    computed once, so a test module's own override of the config does not reach it.
    """
    return passwordless_tenant_pool.get(passwordless_tenant_config)


@pytest.fixture
def passwordless_tenant(request, passwordless_tenant_config, tmp_path) -> LocalTenant:
    """Give a test a clean tenant: the session's for its config, reset first, or its own.

    `@pytest.mark.passwordless_tenant(settings={"otp_lifetime": 60}, users=[...])` starts a
    tenant for this test alone from the config with those changes, and stops it after the
    test; `tls=True` serves it over HTTPS, `prompts={"universal_login_experience":
    "classic"}` shows the Classic login page (HTTPS too).
    """
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        pool = request.getfixturevalue("passwordless_tenant_pool")
        tenant = pool.get(passwordless_tenant_config)
        tenant.reset()
        yield tenant
        return
    if marker.args:
        raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only")
    config = tenant_config(passwordless_tenant_config, **marker.kwargs)
    with run_tenant(config, tmp_path / "passwordless-tenant") as tenant:
        yield tenant
