"""Fixtures for the attack suite: the live tenant (tests/conftest.py), plus the web app and the
sample API from their own test folders, so every attack can hit the part that must stop it."""

from __future__ import annotations

import pytest

from regular_web_app.settings import ENV_NAMES as WEB_APP_ENV_NAMES
from sample_api.settings import ENV_NAMES as API_ENV_NAMES
from tests.mock_tenant.conftest import tenant_from_config  # noqa: F401

# Fixtures shared with the parts' own tests (imported, so pytest finds them here too).
from tests.regular_web_app.conftest import (  # noqa: F401
    auth,
    client,
    gateway_tenant,
    make_web_app,
    tenant_calls,
    web_app,
)
from tests.sample_api.conftest import api, fake_tenant, start_api, test_key  # noqa: F401


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the developer's shell (AUTH0_DOMAIN=...) out of every attack."""
    for name in {*WEB_APP_ENV_NAMES, *API_ENV_NAMES}:
        monkeypatch.delenv(name, raising=False)
