"""The tenant as a test double for your own app: start one, read its outbox, move its clock.

`pytest_plugin` (loaded through the `pytest11` entry point when the package is installed)
gives tests the `passwordless_tenant` fixture; `playwright` completes Universal Login in a
browser page. docs/testing-your-app.md is the guide.
"""

from __future__ import annotations

from .handle import DevApiError, LocalTenant
from .server import run_tenant, tenant_config

__all__ = ["DevApiError", "LocalTenant", "run_tenant", "tenant_config"]
