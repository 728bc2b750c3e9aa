"""`python -m native_tui_app`: build the client from flags and Auth0's env names, run the app."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from .app import NativeApp
from .client import (
    DEFAULT_API_URL,
    DEFAULT_AUDIENCE,
    DEFAULT_CLIENT_ID,
    DEFAULT_DOMAIN,
    PasswordlessClient,
)
from .remember import TokenStore, default_path


def parse_args(
    argv: list[str] | None = None, env: Mapping[str, str] = os.environ
) -> argparse.Namespace:
    """Read the command line; each flag falls back to an Auth0 quickstart env name."""
    parser = argparse.ArgumentParser(
        prog="python -m native_tui_app",
        description=(
            "Sign in without a password from a terminal: a one-time code by email or SMS "
            "(Auth0's passwordless OTP grant), or Universal Login in your browser."
        ),
        epilog="Codes sent by the mock tenant appear at http://127.0.0.1:4000/_dev/outbox.",
    )
    parser.add_argument(
        "--domain",
        default=env.get("AUTH0_DOMAIN", DEFAULT_DOMAIN),
        help="tenant domain: a bare host means https, a URL is kept "
        f"(env AUTH0_DOMAIN; default {DEFAULT_DOMAIN}, the mock tenant)",
    )
    parser.add_argument(
        "--client-id",
        default=env.get("AUTH0_CLIENT_ID", DEFAULT_CLIENT_ID),
        help=f"native application's client id (env AUTH0_CLIENT_ID; default {DEFAULT_CLIENT_ID})",
    )
    parser.add_argument(
        "--audience",
        default=env.get("AUTH0_AUDIENCE", DEFAULT_AUDIENCE),
        help=f"API the access token is for (env AUTH0_AUDIENCE; default {DEFAULT_AUDIENCE})",
    )
    parser.add_argument(
        "--api-url",
        default=env.get("API_URL", DEFAULT_API_URL),
        help=f"base URL of the sample API (env API_URL; default {DEFAULT_API_URL})",
    )
    parser.add_argument(
        "--remember",
        action="store_true",
        help=f"keep the refresh token between runs, in {default_path()} (mode 0600); "
        "logging out deletes it",
    )
    return parser.parse_args(argv)


def build_app(args: argparse.Namespace) -> NativeApp:
    """Build the client and the app from parsed arguments."""
    client = PasswordlessClient(
        domain=args.domain,
        client_id=args.client_id,
        audience=args.audience,
        api_url=args.api_url,
    )
    return NativeApp(client, store=TokenStore() if args.remember else None)


def main(argv: list[str] | None = None) -> int:
    """Run the app until the user quits."""
    args = parse_args(argv)
    try:
        app = build_app(args)
    except ValueError as error:
        print(f"native_tui_app: {error}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
