"""pytest plugin: a live tenant per session or per test, configured by the test's project.

Loaded through the `pytest11` entry point of the `passwordless-tenant` distribution.
Every name starts with `passwordless_tenant`, so it stays clear of a project's own
fixtures (the demo suite's `tenant_server` among them).
https://docs.pytest.org/en/stable/how-to/writing_plugins.html
"""

from __future__ import annotations

import pytest

from .handle import LocalTenant
from .server import run_tenant, tenant_config

MARKER = "passwordless_tenant"


def pytest_configure(config):
    """Register the marker that gives one test a tenant of its own."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(settings=None, clients=..., connections=..., users=..., "
        "resource_servers=...): run this test against a tenant of its own, started from "
        "passwordless_tenant_config with these changes (passwordless-tenant plugin)",
    )


@pytest.fixture(scope="session")
def passwordless_tenant_config() -> dict:
    """Return the tenant config the session's tenant starts from; override it in conftest.py.

    The default has the email and sms connections and no applications: a project's
    conftest.py returns `mock_tenant.testing.tenant_config(clients=[...], users=[...])`.
    """
    return tenant_config()


@pytest.fixture(scope="session")
def passwordless_tenant_session(passwordless_tenant_config, tmp_path_factory) -> LocalTenant:
    """Run one tenant for the whole session, never reset (session-scoped tests use it)."""
    data_dir = tmp_path_factory.mktemp("passwordless-tenant")
    with run_tenant(passwordless_tenant_config, data_dir) as tenant:
        yield tenant


@pytest.fixture
def passwordless_tenant(request, passwordless_tenant_config, tmp_path) -> LocalTenant:
    """Give a test a clean tenant: the session's, reset first, or its own with the marker.

    `@pytest.mark.passwordless_tenant(settings={"otp_lifetime": 60}, users=[...])` starts a
    tenant for this test alone from the session's config with those changes, and stops it
    after the test.
    """
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        tenant = request.getfixturevalue("passwordless_tenant_session")
        tenant.reset()
        yield tenant
        return
    if marker.args:
        raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only")
    config = tenant_config(passwordless_tenant_config, **marker.kwargs)
    with run_tenant(config, tmp_path / "passwordless-tenant") as tenant:
        yield tenant
