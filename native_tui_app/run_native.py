"""`make run-native`: start a local tenant (and the sample API) if none answers, then the app.

The servers run in the background with their output in `var/*.log`, because the terminal
belongs to the app. Whatever this script started, it stops when the app exits; servers that
were already running are left alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import requests

from .__main__ import main as run_app
from .__main__ import parse_args

LOG_DIR = Path("var")


@dataclass(frozen=True)
class Service:
    """A local server the app needs: how to tell it is up, and how to start it."""

    name: str
    base_url: str
    health_path: str
    command: list[str]
    env: dict[str, str]

    @property
    def log_path(self) -> Path:
        """Return the file the server's output goes to."""
        return LOG_DIR / f"{self.name}.log"


def answers(url: str) -> bool:
    """Tell whether something answers HTTP at a URL."""
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


def local_port(base_url: str) -> int | None:
    """Return the port of a loopback URL (one we could start a server on), or None."""
    url = urllib.parse.urlsplit(base_url)
    if url.scheme in ("http", "https") and url.hostname in ("127.0.0.1", "localhost"):
        return url.port or (443 if url.scheme == "https" else 80)
    return None


def services(domain: str, api_url: str) -> list[Service]:
    """List the local servers the app will talk to (a remote tenant or API is not ours)."""
    found = []
    if port := local_port(domain):
        found.append(
            Service(
                "tenant",
                domain.rstrip("/"),
                "/.well-known/openid-configuration",
                [
                    sys.executable,
                    "-m",
                    "mock_tenant",
                    "--port",
                    str(port),
                    "--data-dir",
                    "var/tenant",
                    # An https:// domain (`make run-native TLS=1`): the tenant serves HTTPS.
                    *(["--tls"] if domain.startswith("https://") else []),
                ],
                {},
            )
        )
    if port := local_port(api_url):
        found.append(
            Service(
                "sample_api",
                api_url.rstrip("/"),
                "/api/public",
                [sys.executable, "-m", "sample_api", "--port", str(port)],
                # The API checks tokens from the same tenant the app logs in to.
                {"AUTH0_DOMAIN": domain},
            )
        )
    return found


def start(service: Service, timeout: float = 30) -> subprocess.Popen | None:
    """Start a service in the background unless it already answers; wait until it does."""
    health_url = service.base_url + service.health_path
    if answers(health_url):
        print(f"Using the {service.name} already running at {service.base_url}")
        return None
    LOG_DIR.mkdir(exist_ok=True)
    print(f"Starting the {service.name} at {service.base_url} (log: {service.log_path})")
    with service.log_path.open("ab") as log:
        # The command is ours (this Python, a module of this repo), never user input.
        process = subprocess.Popen(  # noqa: S603
            service.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **service.env, "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + timeout
    while not answers(health_url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"The {service.name} did not start; see {service.log_path}")
        time.sleep(0.2)
    return process


def stop(process: subprocess.Popen) -> None:
    """Stop a server we started: politely first, then for sure."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    """Start what is missing, run the app in the foreground, then stop what we started."""
    args = parse_args(argv)
    started: list[subprocess.Popen] = []
    try:
        for service in services(args.domain, args.api_url):
            if process := start(service):
                started.append(process)
        return run_app(argv)
    except RuntimeError as error:
        print(f"run-native: {error}", file=sys.stderr)
        return 1
    finally:
        for process in reversed(started):
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
