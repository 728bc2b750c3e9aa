"""`python -m native_tui_app` and `make run-native`'s launcher."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import requests

from native_tui_app import run_native
from native_tui_app.__main__ import build_app, parse_args
from native_tui_app.remember import TokenStore


def test_help_names_the_flags_and_the_auth0_environment_names():
    result = subprocess.run(
        [sys.executable, "-m", "native_tui_app", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for name in ("--domain", "--client-id", "--audience", "--remember", "AUTH0_DOMAIN"):
        assert name in result.stdout


def test_the_defaults_are_the_mock_tenant_and_the_demo_native_app():
    args = parse_args([], env={})
    app = build_app(args)
    assert app.client.base_url == "http://127.0.0.1:4000"
    assert app.client.issuer == "http://127.0.0.1:4000/"
    assert app.client.client_id == "demo-native-app"
    assert app.client.audience == "urn:passwordless-demo:api"
    assert app.store is None  # nothing is remembered unless asked


def test_auth0_environment_names_configure_the_client():
    env = {
        "AUTH0_DOMAIN": "tenant.eu.auth0.com",
        "AUTH0_CLIENT_ID": "abc123",
        "AUTH0_AUDIENCE": "https://api.example.com",
    }
    client = build_app(parse_args([], env=env)).client
    # A bare host is an Auth0 domain: https is meant.
    assert client.base_url == "https://tenant.eu.auth0.com"
    assert (client.client_id, client.audience) == ("abc123", "https://api.example.com")


def test_flags_win_over_the_environment():
    args = parse_args(
        ["--domain", "http://127.0.0.1:4555", "--client-id", "flag-id"],
        env={"AUTH0_DOMAIN": "tenant.eu.auth0.com", "AUTH0_CLIENT_ID": "env-id"},
    )
    client = build_app(args).client
    assert (client.base_url, client.client_id) == ("http://127.0.0.1:4555", "flag-id")


def test_remember_turns_on_the_token_store():
    assert isinstance(build_app(parse_args(["--remember"], env={})).store, TokenStore)


def test_a_bad_domain_is_a_short_message_not_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "native_tui_app", "--domain", "ftp://tenant.example"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "http(s) URL" in result.stderr and "Traceback" not in result.stderr


# ---- run_native: the servers `make run-native` starts ------------------------------------------


def test_only_local_servers_are_ours_to_start():
    found = run_native.services("http://127.0.0.1:4000", "http://localhost:3010")
    assert [(s.name, s.base_url) for s in found] == [
        ("tenant", "http://127.0.0.1:4000"),
        ("sample_api", "http://localhost:3010"),
    ]
    assert found[1].env == {"AUTH0_DOMAIN": "http://127.0.0.1:4000"}
    assert run_native.services("https://tenant.eu.auth0.com", "https://api.example.com") == []


def test_a_local_https_domain_starts_the_tenant_with_tls():
    # `make run-native TLS=1` sets AUTH0_DOMAIN=https://127.0.0.1:4000.
    (tenant,) = run_native.services("https://127.0.0.1:4000", "https://api.example.com")
    assert tenant.base_url == "https://127.0.0.1:4000"
    assert tenant.command[-1] == "--tls"
    (plain,) = run_native.services("http://127.0.0.1:4000", "https://api.example.com")
    assert "--tls" not in plain.command


def test_a_tenant_that_already_answers_is_used_not_started(tenant_server, capsys):
    (tenant,) = run_native.services(tenant_server.base_url, "https://api.example.com")
    assert run_native.start(tenant) is None
    assert "already running" in capsys.readouterr().out


def test_a_missing_tenant_is_started_logged_to_a_file_and_stopped(tmp_path, monkeypatch):
    # Work in a scratch directory: the tenant's data and log go under ./var there.
    monkeypatch.chdir(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tenant,) = run_native.services(f"http://127.0.0.1:{port}", "https://api.example.com")
    process = run_native.start(tenant)
    try:
        assert process is not None
        url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        assert requests.get(url, timeout=5).json()["issuer"] == f"http://127.0.0.1:{port}/"
        assert (tmp_path / "var" / "tenant.log").exists()
    finally:
        run_native.stop(process)
    # Stopped means stopped: the process is gone and the port answers no more.
    assert process.poll() is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)
