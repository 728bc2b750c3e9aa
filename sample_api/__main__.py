"""`python -m sample_api`: serve the protected API on a loopback port (see --help)."""

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
        """Log one line without the query string: a token sent there must not reach a log."""
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
        prog="python -m sample_api",
        description=(
            "Serve the sample API: /api/public, /api/private and /api/private-scoped. "
            "Settings come from the environment or a .env file: AUTH0_DOMAIN (default "
            f"{DEFAULTS['AUTH0_DOMAIN']}), AUTH0_AUDIENCE (default {DEFAULTS['AUTH0_AUDIENCE']}), "
            f"ALLOWED_ORIGINS (default {DEFAULTS['ALLOWED_ORIGINS']}), PORT, "
            f"TRUSTED_HOSTS (default {DEFAULTS['TRUSTED_HOSTS']})."
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
    # Only the command reads sample_api/.env (one file per app, as in Auth0's samples);
    # create_app stays free of file and import-time reads.
    load_dotenv(Path(__file__).with_name(".env"))
    app = create_app()
    port = args.port if args.port is not None else int(app.config["PORT"])
    try:
        server = make_server(
            args.host, port, app, threaded=True, request_handler=QuietRequestHandler
        )
    except OSError as error:
        print(f"sample_api: cannot listen on {args.host}:{port}: {error.strerror}", file=sys.stderr)
        return 1
    validator = app.extensions["sample_api.validator"]
    print(f"Sample API on http://localhost:{server.server_port}", flush=True)
    print(f"Accepting access tokens from {validator.issuer} for {validator.audience}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
