"""Two `python -m mock_tenant` processes on one data directory behave as one tenant."""

import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

from tests.mock_tenant.helpers import TIMEOUT, otp_token, refresh, send_email_code
from tests.servers import TenantServer
from tools.launcher import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def tenant_processes(data_dir: Path, logs: Path, count: int = 2):
    """Start `python -m mock_tenant` processes at once, wait until all answer, stop them after."""
    with ExitStack() as stack:
        tenants = []
        for n in range(count):
            port = free_port()
            tenant = ServerProcess(
                [
                    sys.executable,
                    "-m",
                    "mock_tenant",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                ],
                f"http://127.0.0.1:{port}/.well-known/openid-configuration",
                name=f"tenant {n}",
                cwd=ROOT,
                log_file=logs / f"tenant-{n}.log",
            )
            # Spawned together, before any is ready: they race to create one database.
            tenant.spawn()
            stack.callback(tenant.stop)
            tenants.append((tenant, f"http://127.0.0.1:{port}"))
        for tenant, _ in tenants:
            tenant.wait_until_ready()
        # The test-side helpers (outbox, last_code) only need the URL, not the app.
        yield [TenantServer(base_url, app=None) for _, base_url in tenants]


def test_a_code_sent_by_one_process_is_accepted_by_the_other(tmp_path):
    # Two processes over one SQLite file, started at the same moment.
    with tenant_processes(tmp_path / "tenant", tmp_path) as (a, b):
        # They made one pair of keys (current and next) between them, not a pair each.
        keys_a = requests.get(a.url(".well-known/jwks.json"), timeout=TIMEOUT).json()
        keys_b = requests.get(b.url(".well-known/jwks.json"), timeout=TIMEOUT).json()
        assert keys_a == keys_b and len(keys_a["keys"]) == 2  # the current and the next key
        # A sends the code; B sees it in the shared outbox and accepts it.
        code = send_email_code(a, "both@example.com")
        assert b.last_code("both@example.com") == code
        response = otp_token(b, "both@example.com", code, scope="openid offline_access")
        assert response.status_code == 200, response.text
        # The code is consumed for both: A refuses it now.
        assert otp_token(a, "both@example.com", code).status_code == 403
        # A refresh token from B works at A, and its reuse at B is caught.
        r1 = response.json()["refresh_token"]
        assert refresh(a, r1).status_code == 200
        assert refresh(b, r1).status_code == 403
        # A code asked from B replaces the one A sent: one tenant, one live code per address.
        first = send_email_code(a, "again@example.com")
        second = send_email_code(b, "again@example.com")
        if first != second:
            assert otp_token(b, "again@example.com", first).status_code == 403
        assert otp_token(a, "again@example.com", second).status_code == 200
