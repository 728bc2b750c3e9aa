"""`python -m regular_web_app`: run the web app on http://localhost:3000 (see --help)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from dotenv import load_dotenv
from werkzeug.serving import WSGIRequestHandler, make_server

from . import create_app

# The tenant's config registers http://localhost:3000/callback for this client; on another
# port the tenant refuses the redirect, unless its callbacks list is changed to match.
REGISTERED_PORT = 3000
# One .env per app, as in Auth0's samples: the three apps need different AUTH0_CLIENT_IDs.
DEFAULT_ENV_FILE = Path(__file__).with_name(".env")


class QuietRequestHandler(WSGIRequestHandler):
    """Log each request as method, path and status, never its query string."""

    def log_request(self, code="-", size="-"):
        """Log one line without the query: /callback's carries an authorization code."""
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, getattr(code, "value", code))

    def log(self, type: str, message: str, *args) -> None:
        """Log through `logging` without Werkzeug's own date: the format holds the one time."""
        getattr(logging.getLogger("werkzeug"), type)(f"{self.address_string()} {message}", *args)


def configure_logging() -> None:
    """Log at INFO with one timestamp, or none when honcho (`make run-web`) prints its own."""
    # The Makefile sets LOG_TIMESTAMPS=0 for honcho, which starts every line with the time.
    stamp = "" if os.environ.get("LOG_TIMESTAMPS") == "0" else "%(asctime)s "
    logging.basicConfig(level=logging.INFO, format=stamp + "%(name)s %(message)s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line, with the PORT environment variable as the default port."""
    parser = argparse.ArgumentParser(
        prog="python -m regular_web_app",
        description=(
            "Run the demo regular web app: it logs users in at the tenant's Universal "
            "Login (authorization code flow with PKCE) and keeps their tokens server-side. "
            "Settings come from the environment or a .env file: AUTH0_DOMAIN, "
            "AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_AUDIENCE, APP_SECRET_KEY, PORT, API_URL, "
            "APP_BASE_URL, TRUSTED_HOSTS, SESSION_IDLE_MINUTES, SESSION_MAX_HOURS."
        ),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", REGISTERED_PORT)),
        help=f"port to listen on, on localhost (default {REGISTERED_PORT}; env PORT)",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=DEFAULT_ENV_FILE,
        help="settings file read before the environment's defaults (default regular_web_app/.env)",
    )
    return parser.parse_args(argv)


def env_file(argv: list[str] | None) -> Path:
    """Return the .env file named on the command line, or the app's own one."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE)
    return early.parse_known_args(argv)[0].env_file


def main(argv: list[str] | None = None) -> int:
    """Load .env, build the app and serve it on localhost until Ctrl-C."""
    # The .env file fills in settings the shell did not set (read first: PORT may be there).
    load_dotenv(env_file(argv))
    args = parse_args(argv)
    # INFO, not DEBUG: Authlib logs the PKCE verifier at DEBUG level (docs/security.md rule 19).
    configure_logging()
    app = create_app({"PORT": args.port})
    # localhost only: this is a development server for one learner's machine.
    server = make_server(
        "localhost", args.port, app, threaded=True, request_handler=QuietRequestHandler
    )
    # The real port: with --port 0 the system picks a free one (the tests do that).
    port = server.server_port
    if port != REGISTERED_PORT:
        print(
            f"Note: the tenant expects http://localhost:{REGISTERED_PORT}/callback; "
            f"add http://localhost:{port}/callback to its callbacks to log in here.",
            file=sys.stderr,
        )
    print(f"Open http://localhost:{port}", flush=True)
    print(f"Tenant: {app.config['TENANT_BASE_URL']}  API: {app.config['API_URL']}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
