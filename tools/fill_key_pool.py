"""`make test-keys`: make the RSA keys a test run takes from its key pool, ahead of time.

The tests' tenants take their keys from var/test-keys (mock_tenant/core/key_pool.py); a key
the pool lacks is generated when a tenant claims it. `make test-setup` runs this beside the
package installs, so that even a fresh clone's first run finds its keys made.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mock_tenant.core.key_pool import fill


def main(argv: list[str] | None = None) -> None:
    """Make the pool's first N keys that are missing, using every core."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.fill_key_pool",
        description="Fill the pool of RSA keys for test suites (env MOCK_TENANT_KEY_POOL).",
    )
    parser.add_argument("count", type=int, metavar="N", help="how many keys the pool should hold")
    parser.add_argument("folder", type=Path, help="the pool's folder")
    args = parser.parse_args(argv)
    if made := fill(args.folder, args.count):
        print(f"{args.folder}: {made} RSA keys made, {args.count} in the pool")


if __name__ == "__main__":
    main()
