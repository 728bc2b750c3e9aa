"""`python -m single_page_app`: serve the single-page app on http://localhost:3001 (see --help)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from dotenv import load_dotenv
from werkzeug.serving import WSGIRequestHandler, make_server

from . import create_app
from .settings import DEFAULTS


class QuietRequestHandler(WSGIRequestHandler):
    """Log each request as method, path and status, never its query string."""

    def log_request(self, code="-", size="-"):
        """Log one line without the query string: the callback carries ?code=...&state=..."""
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
    """Read the command line (settings themselves come from the environment or `.env`)."""
    parser = argparse.ArgumentParser(
        prog="python -m single_page_app",
        description=(
            "Serve the single-page app (auth0-spa-js). Settings come from the environment or "
            f"a .env file: AUTH0_DOMAIN (default {DEFAULTS['AUTH0_DOMAIN']}), AUTH0_CLIENT_ID "
            f"(default {DEFAULTS['AUTH0_CLIENT_ID']}), AUTH0_AUDIENCE (default "
            f"{DEFAULTS['AUTH0_AUDIENCE']}), API_URL (default {DEFAULTS['API_URL']}), "
            "CACHE_LOCATION (memory, the default, or localstorage to stay signed in across "
            "reloads), PORT, TRUSTED_HOSTS (default localhost,127.0.0.1). The page must be "
            "opened at http://localhost:PORT, the origin the tenant knows."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, help=f"port to listen on (default {DEFAULTS['PORT']}; env PORT)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Load `.env`, build the app and serve it until Ctrl-C."""
    args = parse_args(argv)
    configure_logging()
    # Only the command reads single_page_app/.env (one file per app, as in Auth0's samples);
    # create_app stays free of file and import-time reads.
    load_dotenv(Path(__file__).with_name(".env"))
    try:
        app = create_app()
    except ValueError as error:
        print(f"single_page_app: {error}", file=sys.stderr)
        return 2
    port = args.port if args.port is not None else int(app.config["PORT"])
    try:
        server = make_server(
            args.host, port, app, threaded=True, request_handler=QuietRequestHandler
        )
    except OSError as error:
        print(
            f"single_page_app: cannot listen on {args.host}:{port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    print(f"Single-page app on http://localhost:{server.server_port}", flush=True)
    print(
        f"Tenant {app.config['TENANT_BASE_URL']}, client {app.config['AUTH0_CLIENT_ID']}, "
        f"tokens kept in {app.config['CACHE_LOCATION']}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
