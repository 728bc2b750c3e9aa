"""A bad tenant file stops start-up with a message naming the file, the field and the problem."""

import subprocess
import sys
from pathlib import Path

import pytest

from mock_tenant import create_app
from mock_tenant.config import DEFAULT_CONFIG_FILE, ConfigError, load_config


def write_config(tmp_path: Path, old: str, new: str) -> Path:
    """Write a copy of the bundled tenant file with one piece of text replaced."""
    text = DEFAULT_CONFIG_FILE.read_text()
    assert old in text
    path = tmp_path / "tenant.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_the_bundled_file_has_the_demo_clients_and_both_connections():
    config = load_config()
    assert [c.client_id for c in config.clients] == [
        "demo-regular-web-app",
        "demo-native-app",
        "demo-single-page-app",
        # examples/embedded_login/ (auth0.js embedded login, cross-origin).
        "demo-embedded-login",
        "demo-management-client",
    ]
    assert config.client("demo-management-client").app_type == "non_interactive"
    [grant] = config.client_grants
    assert (grant.client_id, grant.audience) == (
        "demo-management-client",
        "https://{domain}/api/v2/",
    )
    assert {c.name for c in config.connections} == {"email", "sms"}
    assert config.resource_server("urn:passwordless-demo:api").scopes[0].value == "read:messages"


def test_a_wrong_app_type_names_the_file_and_the_field(tmp_path):
    path = write_config(tmp_path, 'app_type = "native"', 'app_type = "desktop"')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert "clients[1].app_type" in str(error.value)


def test_a_misspelt_field_is_refused_rather_than_ignored(tmp_path):
    path = write_config(tmp_path, "callbacks =", "callback =")
    with pytest.raises(ConfigError, match=r"clients\[0\]\.callback: Extra inputs"):
        load_config(path)


def test_a_confidential_client_without_a_secret_is_refused(tmp_path):
    path = write_config(tmp_path, 'client_secret = "demo-regular-web-app-secret"\n', "")
    with pytest.raises(ConfigError, match="client_secret is required"):
        load_config(path)


def test_a_single_page_app_with_the_otp_grant_is_refused(tmp_path):
    path = write_config(
        tmp_path,
        'grant_types = ["authorization_code", "refresh_token"]',
        'grant_types = ["authorization_code", "http://auth0.com/oauth/grant-type/passwordless/otp"]',
    )
    with pytest.raises(ConfigError, match="single-page apps may not use the passwordless OTP"):
        load_config(path)


def test_an_otp_lifetime_over_ten_minutes_is_refused(tmp_path):
    path = write_config(tmp_path, "otp_lifetime = 180", "otp_lifetime = 3600")
    with pytest.raises(ConfigError, match=r"tenant\.otp_lifetime"):
        load_config(path)


def test_a_file_that_is_not_toml_names_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[tenant\nfriendly_name = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML.*line 1"):
        load_config(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path / "nope.toml")


def run_tenant_command(tmp_path: Path, path: Path, *options: str) -> subprocess.CompletedProcess:
    """Run `python -m mock_tenant` with a tenant file, expecting it to stop on its own."""
    return subprocess.run(  # noqa: S603 (our interpreter, our module, fixed arguments)
        [
            sys.executable,
            "-m",
            "mock_tenant",
            "--config",
            str(path),
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_command_line_exits_with_the_message_and_no_traceback(tmp_path):
    path = write_config(tmp_path, 'app_type = "spa"', 'app_type = "tv"')
    result = run_tenant_command(tmp_path, path)
    assert result.returncode == 2
    assert "clients[2].app_type" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("options", [(), ("--workers", "2")], ids=["one process", "workers"])
def test_a_seed_user_with_an_unusable_email_stops_the_start_naming_the_field(tmp_path, options):
    path = write_config(tmp_path, 'email = "ada@example.com"', 'email = "ada.example.com"')
    result = run_tenant_command(tmp_path, path, *options)
    assert result.returncode != 0
    assert "users[0].email: An email address must have an @-sign." in result.stderr
    assert "Traceback" not in result.stderr


def test_a_seed_user_written_in_capitals_is_stored_once_lower_cased_across_restarts(tmp_path):
    path = write_config(tmp_path, 'email = "ada@example.com"', 'email = "Ada@Example.COM"')
    config = load_config(path, issuer="http://localhost/", data_dir=tmp_path / "data")
    # The second start finds Ada already stored, without checking her address again.
    for _ in range(2):
        tenant = create_app(config).extensions["mock_tenant"]
    rows = tenant.storage.query("SELECT identifier FROM users WHERE connection = 'email'")
    assert [row["identifier"] for row in rows] == ["ada@example.com"]


def test_the_command_line_has_help():
    result = subprocess.run(
        [sys.executable, "-m", "mock_tenant", "--help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    for option in ("--host", "--port", "--issuer", "--config", "--data-dir"):
        assert option in result.stdout


# --- Machine-to-machine clients and client grants (the Management API) -----------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'client_id = "demo-management-client"\naudience',
            'client_id = "nobody"\naudience',
            "client_grants[0].client_id: no client 'nobody'",
        ),
        (
            'audience = "https://{domain}/api/v2/"',
            'audience = "https://example.com/api/v2/"',
            "client_grants[0].audience: neither",
        ),
        (
            'scope = ["read:users", "create:users"',
            'scope = ["read:clients", "create:users"',
            "client_grants[0].scope: ['read:clients'] not among",
        ),
        (
            'grant_types = ["client_credentials"]',
            'grant_types = ["authorization_code"]',
            "lacks the client_credentials grant",
        ),
    ],
)
def test_a_client_grant_that_names_nothing_known_is_refused_with_its_field(
    tmp_path, old, new, message
):
    path = write_config(tmp_path, old, new)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)


def test_a_public_client_with_the_client_credentials_grant_is_refused(tmp_path):
    path = write_config(
        tmp_path,
        'grant_types = ["authorization_code", "refresh_token"]',
        'grant_types = ["authorization_code", "client_credentials"]',
    )
    with pytest.raises(ConfigError, match="client_credentials needs a client with a secret"):
        load_config(path)
