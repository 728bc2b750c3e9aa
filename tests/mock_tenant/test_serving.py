"""The single-process server (mock_tenant/serving.py): kept-open connections, and its threads.

A client's requests share one connection (HTTP/1.1 keep-alive), every request gets a thread at
once even while slow clients hold others, and the threads a burst needed end afterwards.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from mock_tenant.serving import IDLE_THREADS
from tests.mock_tenant.helpers import TIMEOUT

pytestmark = pytest.mark.skipif(
    os.environ.get("TENANT_WORKERS", "1") != "1", reason="in-process tenant only"
)


def _host_and_port(tenant_server) -> tuple[str, int]:
    host, port = tenant_server.base_url.removeprefix("http://").split(":")
    return host, int(port)


def _worker_threads() -> int:
    # Cheroot names its worker threads "CP Server Thread-N".
    return sum(1 for thread in threading.enumerate() if thread.name.startswith("CP Server"))


def test_a_client_sends_several_requests_over_one_connection(tenant_server):
    connection = http.client.HTTPConnection(*_host_and_port(tenant_server), timeout=TIMEOUT)
    try:
        for _ in range(3):
            connection.request("GET", "/.well-known/jwks.json")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection") != "close"
            # The same socket answered again: http.client opens a new one only once closed.
            assert not response.will_close
    finally:
        connection.close()


def test_the_threads_a_burst_of_slow_clients_needed_end_when_they_leave(tenant_server):
    before = _worker_threads()
    slow = []
    try:
        for _ in range(3 * IDLE_THREADS):
            conn = socket.create_connection(_host_and_port(tenant_server), timeout=TIMEOUT)
            conn.sendall(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: ")
            slow.append(conn)
        deadline = time.monotonic() + TIMEOUT
        while _worker_threads() < before + 2 * IDLE_THREADS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _worker_threads() >= before + 2 * IDLE_THREADS
    finally:
        for conn in slow:
            conn.close()
    deadline = time.monotonic() + TIMEOUT
    while _worker_threads() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _worker_threads() <= before


def test_a_busy_port_stops_the_start_with_the_systems_reason(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(  # noqa: S603 (our interpreter, our module, fixed arguments)
            [sys.executable, "-m", "mock_tenant", "--port", str(port), "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda data_dir: data_dir.write_text("not a folder"), "File exists"),
        (lambda data_dir: (data_dir / "tenant.sqlite3").mkdir(parents=True), "Is a directory"),
    ],
    ids=["a file in its place", "a folder in the database's place"],
)
def test_an_unusable_data_directory_stops_the_start_naming_it_not_the_port(tmp_path, make, reason):
    data_dir = tmp_path / "tenant"
    make(data_dir)
    result = subprocess.run(  # noqa: S603 (our interpreter, our module, fixed arguments)
        [sys.executable, "-m", "mock_tenant", "--port", "0", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"cannot use the data directory {data_dir}" in result.stderr
    assert reason in result.stderr
    assert "cannot listen" not in result.stderr
    assert "Traceback" not in result.stderr
