"""`tools/unless_running.py`: `make run-web` and `make run-spa` use a part that already runs."""

from __future__ import annotations

import subprocess
import sys

from tools.launcher import free_port

COMMAND = [sys.executable, "-m", "tools.unless_running"]


def test_a_server_that_answers_is_used_and_its_command_is_not_run(tenant_server, tmp_path):
    marker = tmp_path / "started"
    url = tenant_server.url(".well-known/openid-configuration")
    with subprocess.Popen(  # noqa: S603 (our interpreter, our module)
        [*COMMAND, "--name", "tenant", url, "--", "touch", str(marker)],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            # It says so, then waits in the server's place (honcho would stop it).
            assert "Using the tenant already running" in process.stdout.readline()
            assert process.poll() is None
        finally:
            process.terminate()
        assert process.wait(timeout=10) == 0
    assert not marker.exists()


def test_without_a_server_the_command_runs_in_its_place():
    url = f"http://127.0.0.1:{free_port()}/health"
    done = subprocess.run(  # noqa: S603 (our interpreter, our module)
        [*COMMAND, url, "--", sys.executable, "-c", "raise SystemExit(3)"], timeout=30
    )
    assert done.returncode == 3
