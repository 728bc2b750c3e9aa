"""Local attackers: other users of the learner's machine, and web pages in the learner's browser.

Threats: another account on the machine reads the tenant's database (its signing keys and the
secret codes are hashed with) and mints tokens; a web page the learner opens rebinds its own
DNS name to 127.0.0.1 and reads the dev outbox (every code); a web page posts to the dev API
cross-site (reset, clock, users, keys). Sources: RFC 6454 section 7 (DNS rebinding), RFC 9110
15.5.20 (421), the Fetch standard's "simple" requests, OWASP's CSRF cheat sheet, CWE-732.
docs/security.md "Local attackers" says what the suite does about each.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
import requests

from mock_tenant import create_app, load_config
from mock_tenant.core.storage import UnsafeDataDirectory
from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import TIMEOUT, assert_error, start
from tests.servers import ROOT, serve_tenant

# ---- other users of the machine: the data directory -----------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_data_directory_and_its_database_files_are_for_this_user_only(tmp_path):
    data_dir = tmp_path / "fresh" / "tenant"
    with serve_tenant(data_dir) as server:
        # A write puts the WAL and shared-memory files beside the database.
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "ada@example.com"}
        assert start(server, {**body, "send": "code"}).status_code == 200
        assert _mode(data_dir) == 0o700
        for name in ("tenant.sqlite3", "tenant.sqlite3-wal", "tenant.sqlite3-shm"):
            assert _mode(data_dir / name) == 0o600, name


def test_database_files_an_older_tenant_left_readable_are_tightened(tmp_path):
    data_dir = tmp_path / "old"
    with serve_tenant(data_dir):
        pass
    os.chmod(data_dir, 0o755)  # noqa: S103 (what an older tenant left)
    os.chmod(data_dir / "tenant.sqlite3", 0o644)
    with serve_tenant(data_dir):
        assert _mode(data_dir) == 0o700
        assert _mode(data_dir / "tenant.sqlite3") == 0o600


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o1777])
def test_a_data_directory_other_users_can_write_is_refused(tmp_path, mode):
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    os.chmod(data_dir, mode)
    with pytest.raises(UnsafeDataDirectory, match="chmod 700"):
        create_app(load_config(data_dir=data_dir))
    assert not (data_dir / "tenant.sqlite3").exists()


def test_the_command_line_refuses_such_a_directory_with_a_clear_message(tmp_path):
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    os.chmod(data_dir, 0o777)  # noqa: S103 (the attack's precondition)
    result = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "mock_tenant", "--port", "0", "--data-dir", str(data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("MOCK_TENANT_")},
    )
    assert result.returncode == 2
    assert "can be written by other users" in result.stderr
    assert "Traceback" not in result.stderr


# ---- web pages in the browser: DNS rebinding ------------------------------------------------


def _port(server) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


@pytest.mark.parametrize(
    "host",
    ["rebind.example:{port}", "rebind.example", "127.0.0.1.rebind.example:{port}", "127.0.0.2"],
)
def test_a_rebound_host_name_cannot_read_the_outbox(tenant_server, host):
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "ada@example.com"}
    assert start(tenant_server, {**body, "send": "code"}).status_code == 200
    response = requests.get(
        tenant_server.url("_dev/api/outbox"),
        headers={"Host": host.format(port=_port(tenant_server))},
        timeout=TIMEOUT,
    )
    assert_error(response, 421, "invalid_request")
    assert "code" not in response.text.lower().replace("error", "")


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_the_loopback_names_with_the_tenant_port_are_answered(tenant_server, name):
    response = requests.get(
        tenant_server.url(".well-known/openid-configuration"),
        headers={"Host": f"{name}:{_port(tenant_server)}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200


def test_a_loopback_name_with_another_port_is_refused(tenant_server):
    response = requests.get(
        tenant_server.url(".well-known/jwks.json"),
        headers={"Host": f"localhost:{_port(tenant_server) + 1}"},
        timeout=TIMEOUT,
    )
    assert_error(response, 421, "invalid_request")


def test_a_tenant_with_a_public_issuer_answers_only_that_host(tmp_path):
    app = create_app(load_config(issuer="https://tenant.test/", data_dir=tmp_path))
    client = app.test_client()
    assert client.get("/.well-known/jwks.json", base_url="https://tenant.test/").status_code == 200
    refused = client.get("/.well-known/jwks.json", base_url="https://localhost/")
    assert refused.status_code == 421


# ---- web pages in the browser: cross-site requests to the dev API ---------------------------


CHANGES = [
    ("POST", "_dev/api/reset", {}),
    ("POST", "_dev/api/clock", {"advance": 3600}),
    ("POST", "_dev/api/users", {"email": "planted@example.com"}),
    ("POST", "_dev/api/keys/rotate", {}),
    ("POST", "_dev/api/errors", {"endpoint": "/oauth/token"}),
]


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_a_form_or_text_plain_post_to_the_dev_api_is_refused(tenant_server, method, path, body):
    clock = requests.get(tenant_server.url("_dev/api/clock"), timeout=TIMEOUT).json()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = requests.request(
            method,
            tenant_server.url(path),
            data=str(body).replace("'", '"'),
            headers=headers,
            timeout=TIMEOUT,
        )
        assert_error(response, 403, "access_denied")
    # Nothing changed: no user planted, the clock where it was.
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    assert "planted@example.com" not in {user["identifier"] for user in users}
    after = requests.get(tenant_server.url("_dev/api/clock"), timeout=TIMEOUT).json()
    assert after["aged"] == clock["aged"]


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_a_json_request_from_a_foreign_origin_is_refused(tenant_server, method, path, body):
    response = requests.request(
        method,
        tenant_server.url(path),
        json=body,
        headers={"Origin": "https://evil.example"},
        timeout=TIMEOUT,
    )
    assert_error(response, 403, "access_denied")


def test_a_delete_from_a_foreign_origin_is_refused(tenant_server):
    users = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    user_id = users[0]["user_id"]
    response = requests.delete(
        tenant_server.url(f"_dev/api/users/{user_id}"),
        headers={"Origin": "null"},
        timeout=TIMEOUT,
    )
    assert_error(response, 403, "access_denied")
    assert requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json() == users


def test_the_tenant_own_pages_and_scripts_may_change_things(tenant_server):
    for origin in (tenant_server.base_url, None):
        headers = {"Origin": origin} if origin else {}
        response = requests.post(
            tenant_server.url("_dev/api/clock"),
            json={"advance": 1},
            headers=headers,
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
