"""`python -m native_tui_app`: the command a learner runs."""

from __future__ import annotations

import os
import subprocess
import sys

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


def test_a_malformed_auth0_domain_is_refused_at_start():
    # Issue K item 4: "http//..." (no colon) would otherwise become https://http//... later.
    result = subprocess.run(
        [sys.executable, "-m", "native_tui_app"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AUTH0_DOMAIN": "http//127.0.0.1:4000"},
    )
    assert result.returncode == 2
    assert "'http//127.0.0.1:4000'" in result.stderr and "Traceback" not in result.stderr
