"""tools/launcher.py: start a server process, wait until it answers, stop all of it."""

from __future__ import annotations

import os
import sys
import time

import pytest
import requests

from tools.launcher import ServerProcess, answers, free_port

# A server that forks a child first (as gunicorn forks workers), then serves its directory.
FORKING_SERVER = """
import http.server, os, sys, time
if os.fork() == 0:
    time.sleep(3600)
    os._exit(0)
print("serving with a child", flush=True)
http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]),
                 bind="127.0.0.1")
"""


def server(tmp_path, **options) -> ServerProcess:
    """Describe a small HTTP server on a free port (a forking one, to test process groups)."""
    port = free_port()
    script = tmp_path / "server.py"
    script.write_text(FORKING_SERVER)
    return ServerProcess(
        [sys.executable, str(script), str(port)],
        f"http://127.0.0.1:{port}/",
        name="test server",
        cwd=tmp_path,
        **options,
    )


def children_of(pid: int) -> list[int]:
    """Return the ids of a process's children (Linux /proc)."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def has_exited(pid: int) -> bool:
    """Tell whether a process has exited (reaped, or a zombie waiting to be)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def exits(pid: int) -> bool:
    """Wait a little for a killed process to be gone (a signal takes a moment to land)."""
    deadline = time.monotonic() + 5
    while not has_exited(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return has_exited(pid)


def test_start_waits_until_the_server_answers_and_stop_ends_its_whole_group(tmp_path):
    launched = server(tmp_path)
    assert launched.start() is True
    assert answers(launched.health_url)
    (child,) = children_of(launched.pid)
    launched.stop()
    assert not answers(launched.health_url)
    # The forked child was in the group, so it went too (gunicorn's workers would).
    assert exits(child)


def test_a_server_that_exits_is_reported_with_its_output():
    launched = ServerProcess(
        [sys.executable, "-c", "print('no config file here'); raise SystemExit(3)"],
        f"http://127.0.0.1:{free_port()}/",
        name="broken server",
    )
    with pytest.raises(RuntimeError, match="exited with status 3") as raised:
        launched.start()
    assert "no config file here" in str(raised.value)
    assert launched.process is None


def test_a_server_that_never_answers_is_killed_after_the_timeout():
    launched = ServerProcess(
        [sys.executable, "-c", "import time; time.sleep(3600)"],
        f"http://127.0.0.1:{free_port()}/",
        name="silent server",
    )
    with pytest.raises(RuntimeError, match="did not answer"):
        launched.start(timeout=0.5)
    assert launched.process is None


def test_reuse_starts_nothing_when_a_server_already_answers(tmp_path):
    with server(tmp_path) as first:
        second = ServerProcess(
            [sys.executable, "-c", "raise SystemExit('must not run')"], first.health_url
        )
        assert second.start(reuse=True) is False
        assert second.process is None


def test_output_goes_to_the_log_file_when_one_is_named(tmp_path):
    log_file = tmp_path / "logs" / "server.log"
    with server(tmp_path, log_file=log_file) as launched:
        requests.get(launched.health_url, timeout=5)
    assert "serving with a child" in log_file.read_text()
    assert "GET / HTTP/1.1" in launched.output()


def test_the_environment_given_is_the_one_the_server_gets():
    launched = ServerProcess(
        [sys.executable, "-c", "import os; print('value:', os.environ.get('LAUNCHER_TEST'))"],
        f"http://127.0.0.1:{free_port()}/",
        env={**os.environ, "LAUNCHER_TEST": "given"},
    )
    with pytest.raises(RuntimeError, match="value: given"):
        launched.start()
