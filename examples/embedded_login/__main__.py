"""`python -m examples.embedded_login`: serve the embedded login example on localhost:3002."""

from __future__ import annotations

import argparse
import os

from . import DEFAULTS, create_app


def main() -> None:
    """Read the port and tenant from flags or the environment, then serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULTS["PORT"])))
    parser.add_argument(
        "--domain",
        default=os.environ.get("AUTH0_DOMAIN", DEFAULTS["AUTH0_DOMAIN"]),
        help="the tenant's base URL (default %(default)s)",
    )
    parser.add_argument(
        "--issuer",
        default=os.environ.get("AUTH0_ISSUER", DEFAULTS["AUTH0_ISSUER"]),
        help="the tenant's issuer, the `iss` of its ID tokens (default %(default)s)",
    )
    args = parser.parse_args()
    app = create_app({"AUTH0_DOMAIN": args.domain, "AUTH0_ISSUER": args.issuer, "PORT": args.port})
    print(f"Embedded login example: open http://localhost:{args.port}/", flush=True)
    app.run(host="localhost", port=args.port)


if __name__ == "__main__":
    main()
