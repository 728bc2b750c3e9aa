"""Start a server as a child process, wait until it answers, stop it: the one launcher.

`make run-native`, `make bench` and the tests that need real server processes (gunicorn
workers, a tenant killed in the middle of a login) all start servers this way. The apps
themselves never import it: each of them stays copyable on its own.
"""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import requests

# Seconds between two looks at the health URL while a server starts: short, because the
# benchmark reports start-up times and a developer waits for every start.
POLL_SECONDS = 0.02
# Seconds one look may take. A gunicorn arbiter accepts connections before any worker can
# answer them, so a look that hangs means "not ready yet", not "down".
LOOK_SECONDS = 2
# Lines of a piped server's output kept for error messages and tests.
KEPT_LINES = 200


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = LOOK_SECONDS, verify: str | bool = True) -> bool:
    """Tell whether a server answers a GET at `url` with a success status.

    `verify` is what requests checks an https server's certificate with (a CA bundle path).
    """
    try:
        return requests.get(url, timeout=timeout, verify=verify).ok
    except requests.RequestException:
        return False


class ServerProcess:
    """A server command run as a child process in a process group of its own.

    The group lets `stop` and `kill` reach every process the command forks (gunicorn's
    workers), not just the first one.

    Args:
        command: the program and its arguments.
        health_url: a URL the server answers with a success status once it is ready.
        name: what to call the server in messages.
        env: the whole environment for the command (default: this process's environment).
        cwd: the directory to run the command in.
        log_file: a file to append the output to; without one the output goes to a pipe
            whose last lines `output()` returns.
        verify: what to check an https health URL's certificate with (a CA bundle path).

    """

    def __init__(
        self,
        command: Sequence[str],
        health_url: str,
        *,
        name: str = "server",
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        log_file: str | Path | None = None,
        verify: str | bool = True,
    ):
        self.command = list(command)
        self.verify = verify
        self.health_url = health_url
        self.name = name
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.log_file = Path(log_file) if log_file else None
        self.process: subprocess.Popen | None = None
        self.lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
        self._drainer: threading.Thread | None = None

    @property
    def pid(self) -> int:
        """Return the process id of the command (the group leader)."""
        if self.process is None:
            raise RuntimeError(f"the {self.name} is not running")
        return self.process.pid

    def start(self, timeout: float = 30, *, reuse: bool = False) -> bool:
        """Start the server and wait until it answers; tell whether it was started.

        Args:
            timeout: seconds to wait for the health URL to answer.
            reuse: if something already answers at the health URL, use it and start nothing.

        Raises:
            RuntimeError: the server exited, or did not answer in time (it is killed then).

        """
        if reuse and answers(self.health_url, verify=self.verify):
            return False
        self.spawn()
        self.wait_until_ready(timeout)
        return True

    def spawn(self) -> None:
        """Start the command without waiting for it (`wait_until_ready` does that)."""
        if self.process is not None:
            raise RuntimeError(f"the {self.name} is already running")
        self.lines.clear()
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_file.open("ab")
        else:
            output = subprocess.PIPE
        try:
            # The commands are our own (this interpreter, a module of this repo), never input.
            self.process = subprocess.Popen(  # noqa: S603
                self.command,
                cwd=self.cwd,
                # Unbuffered, so the log shows each line when it is written, crash or not.
                env={**self.env, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=self.log_file is None,
                start_new_session=True,
            )
        finally:
            if self.log_file is not None:
                output.close()
        if self.log_file is None:
            self._drainer = threading.Thread(target=self._drain, args=(self.process,), daemon=True)
            self._drainer.start()

    def wait_until_ready(self, timeout: float = 30) -> None:
        """Wait until the health URL answers; kill the server and raise if it never does."""
        deadline = time.monotonic() + timeout
        while not answers(self.health_url, verify=self.verify):
            if self.process.poll() is not None:
                problem = f"the {self.name} exited with status {self.process.returncode}"
            elif time.monotonic() > deadline:
                problem = f"the {self.name} did not answer {self.health_url} in {timeout} s"
            else:
                time.sleep(POLL_SECONDS)
                continue
            self.kill()
            raise RuntimeError(f"{problem}:\n{self.output()}")

    def stop(self, grace: float = 10) -> None:
        """Stop the server: SIGTERM to its group, then SIGKILL if it has not exited in time."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        # Whatever is left of the group (a worker stuck in a request) goes too.
        self.kill()

    def kill(self) -> None:
        """SIGKILL the server's whole group at once, as a crash or an OOM kill would."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        if self._drainer is not None:
            # Every writer of the pipe is dead now: the drainer reaches its end and stops.
            self._drainer.join(timeout=10)
            self.process.stdout.close()
            self._drainer = None
        self.process = None

    def output(self) -> str:
        """Return the last lines the server printed (from its pipe or its log file)."""
        if self.log_file is None:
            return "".join(self.lines)
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "".join(text.splitlines(keepends=True)[-KEPT_LINES:])

    def __enter__(self) -> ServerProcess:
        """Start the server for a `with` block."""
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop the server when the `with` block ends."""
        self.stop()

    def _drain(self, process: subprocess.Popen) -> None:
        """Keep the last lines of a piped server's output, so its pipe never fills up."""
        for line in process.stdout:
            self.lines.append(line)
