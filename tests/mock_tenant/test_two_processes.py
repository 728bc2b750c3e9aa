"""Two `python -m mock_tenant` processes on one data directory behave as one tenant."""

import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

from tests.mock_tenant.helpers import TIMEOUT, free_port, otp_token, refresh, send_email_code
from tests.servers import TenantServer

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def tenant_processes(data_dir: Path, logs: Path, count: int = 2):
    """Start `python -m mock_tenant` processes at once, wait until all answer, stop them after."""
    with ExitStack() as stack:
        tenants = []
        for n in range(count):
            port = free_port()
            log_file = logs / f"tenant-{n}.log"
            log = stack.enter_context(log_file.open("w"))
            process = subprocess.Popen(  # noqa: S603 (our interpreter, our module, fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "mock_tenant",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(_stop, process)
            tenants.append((process, f"http://127.0.0.1:{port}", log_file))
        for process, base_url, log_file in tenants:
            _wait_until_ready(process, base_url, log_file)
        # The test-side helpers (outbox, last_code) only need the URL, not the app.
        yield [TenantServer(base_url, app=None) for _, base_url, _ in tenants]


def _stop(process: subprocess.Popen) -> None:
    """Stop a tenant process, killing it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_ready(process: subprocess.Popen, base_url: str, log_file: Path) -> None:
    """Poll discovery until the tenant answers (it takes a moment to import and start)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the tenant exited early:\n{log_file.read_text()}")
        try:
            requests.get(base_url + "/.well-known/openid-configuration", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError(f"the tenant did not start in time:\n{log_file.read_text()}")


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
