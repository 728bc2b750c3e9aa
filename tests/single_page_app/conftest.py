"""Fixtures for the SPA server and the tenant's SPA-facing behaviour (CORS, web_message)."""

from __future__ import annotations

import pytest

from single_page_app import create_app
from single_page_app.settings import ENV_NAMES


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the developer's shell (AUTH0_DOMAIN=...) out of every test."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def client():
    """Return a test client of the SPA server with its default settings."""
    return create_app().test_client()
