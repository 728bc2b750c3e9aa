"""Fixtures for the tenant's tests: tenants started from edited copies of the bundled config."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

import pytest

from mock_tenant.config import DEFAULT_CONFIG_FILE
from tests.servers import TenantServer, serve_tenant


def edited_config(path: Path, edits: tuple[tuple[str, str, str], ...]) -> Path:
    """Write the bundled tenant.toml to `path` with edits `(after, old, new)` applied.

    Each edit replaces the first `old` that follows the text `after`, so that a setting
    repeated in several sections (a client's refresh_token table) is changed in one only.
    """
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    for after, old, new in edits:
        anchor = text.index(after)
        at = text.index(old, anchor)
        text = text[:at] + new + text[at + len(old) :]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tenant_from_config(tmp_path):
    """Start tenants from edited copies of tenant.toml (see `edited_config`); stop them after."""
    counter = itertools.count()
    with contextlib.ExitStack() as stack:

        def start(*edits: tuple[str, str, str], **settings) -> TenantServer:
            n = next(counter)
            config_file = edited_config(tmp_path / f"tenant-{n}.toml", edits)
            return stack.enter_context(
                serve_tenant(tmp_path / f"data-{n}", config_file, **settings)
            )

        yield start
