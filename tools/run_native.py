"""`make run-native`: start a local tenant (and the sample API) if none answers, then the app.

The servers run in the background with their output in `var/*.log`, because the terminal
belongs to the app. Whatever this script started, it stops when the app exits; servers that
were already running are left alone. It lives in tools/, not in the app, because it starts
other parts of the suite: `python -m native_tui_app` alone stays a client and nothing more.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from pathlib import Path

from native_tui_app.__main__ import main as run_app
from native_tui_app.__main__ import parse_args
from tools.launcher import ServerProcess

LOG_DIR = Path("var")


def local_port(base_url: str) -> int | None:
    """Return the port of a loopback URL (one we could start a server on), or None."""
    url = urllib.parse.urlsplit(base_url)
    if url.scheme in ("http", "https") and url.hostname in ("127.0.0.1", "localhost"):
        return url.port or (443 if url.scheme == "https" else 80)
    return None


def services(domain: str, api_url: str) -> list[tuple[str, ServerProcess]]:
    """List the local servers the app will talk to, each with its base URL.

    A remote tenant or API is not ours to start, so it is not listed.
    """
    found = []
    if port := local_port(domain):
        base_url = domain.rstrip("/")
        tenant = ServerProcess(
            [
                *(sys.executable, "-m", "mock_tenant", "--port", str(port)),
                *("--data-dir", "var/tenant"),
                # An https:// domain (`make run-native TLS=1`): the tenant serves HTTPS.
                *(["--tls"] if domain.startswith("https://") else []),
            ],
            base_url + "/.well-known/openid-configuration",
            name="tenant",
            log_file=LOG_DIR / "tenant.log",
        )
        found.append((base_url, tenant))
    if port := local_port(api_url):
        base_url = api_url.rstrip("/")
        api = ServerProcess(
            [sys.executable, "-m", "sample_api", "--port", str(port)],
            base_url + "/api/public",
            name="sample API",
            # The API checks tokens from the same tenant the app logs in to.
            env={**os.environ, "AUTH0_DOMAIN": domain},
            log_file=LOG_DIR / "sample_api.log",
        )
        found.append((base_url, api))
    return found


def main(argv: list[str] | None = None) -> int:
    """Start what is missing, run the app in the foreground, then stop what we started."""
    args = parse_args(argv)
    started: list[ServerProcess] = []
    try:
        for base_url, server in services(args.domain, args.api_url):
            if server.start(reuse=True):
                started.append(server)
                print(f"Started the {server.name} at {base_url} (log: {server.log_file})")
            else:
                print(f"Using the {server.name} already running at {base_url}")
        return run_app(argv)
    except RuntimeError as error:
        print(f"run-native: {error}", file=sys.stderr)
        return 1
    finally:
        for server in reversed(started):
            server.stop(grace=5)


if __name__ == "__main__":
    sys.exit(main())
