"""`python -m examples.embedded_login`: serve the embedded login example on localhost:3002."""

from __future__ import annotations

import argparse
import os

from . import DEFAULTS, create_app


def main() -> None:
    """Read the port and the tenant from flags or the environment, then serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULTS["PORT"])))
    parser.add_argument(
        "--tenant",
        default=os.environ.get("TENANT_URL", DEFAULTS["AUTH0_ISSUER"].rstrip("/")),
        help="the tenant's base URL, its issuer without the slash (default %(default)s)",
    )
    args = parser.parse_args()
    tenant = args.tenant.rstrip("/")
    app = create_app(
        {
            # The page calls the tenant as localhost: the same site as the page (README.md).
            "AUTH0_DOMAIN": tenant.replace("//127.0.0.1:", "//localhost:"),
            "AUTH0_ISSUER": tenant + "/",
            "PORT": args.port,
        }
    )
    print(f"Embedded login example: open http://localhost:{args.port}/", flush=True)
    app.run(host="localhost", port=args.port)


if __name__ == "__main__":
    main()
