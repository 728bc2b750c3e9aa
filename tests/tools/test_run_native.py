"""`make run-native` (tools/run_native.py): which servers it starts, and how it leaves them."""

from __future__ import annotations

import pytest
import requests

from tools import run_native
from tools.launcher import free_port


def test_only_local_servers_are_ours_to_start():
    found = run_native.services("http://127.0.0.1:4000", "http://localhost:3010")
    assert [(server.name, base_url) for base_url, server in found] == [
        ("tenant", "http://127.0.0.1:4000"),
        ("sample API", "http://localhost:3010"),
    ]
    assert found[1][1].env["AUTH0_DOMAIN"] == "http://127.0.0.1:4000"
    assert run_native.services("https://tenant.eu.auth0.com", "https://api.example.com") == []


def test_a_tenant_that_already_answers_is_used_not_started(tenant_server):
    ((_, tenant),) = run_native.services(tenant_server.base_url, "https://api.example.com")
    assert tenant.start(reuse=True) is False
    assert tenant.process is None


def test_a_missing_tenant_is_started_logged_to_a_file_and_stopped(tmp_path, monkeypatch):
    # Work in a scratch directory: the tenant's data and log go under ./var there.
    monkeypatch.chdir(tmp_path)
    port = free_port()
    ((_, tenant),) = run_native.services(f"http://127.0.0.1:{port}", "https://api.example.com")
    assert tenant.start(reuse=True) is True
    try:
        url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        assert requests.get(url, timeout=5).json()["issuer"] == f"http://127.0.0.1:{port}/"
        assert (tmp_path / "var" / "tenant.log").stat().st_size > 0
    finally:
        tenant.stop()
    # Stopped means stopped: the port answers no more.
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)


def test_a_local_https_domain_starts_the_tenant_with_tls():
    # `make run-native TLS=1` sets AUTH0_DOMAIN=https://127.0.0.1:4000.
    ((base_url, tenant),) = run_native.services("https://127.0.0.1:4000", "https://api.test")
    assert base_url == "https://127.0.0.1:4000"
    assert tenant.command[-1] == "--tls"
    ((_, plain),) = run_native.services("http://127.0.0.1:4000", "https://api.test")
    assert "--tls" not in plain.command
