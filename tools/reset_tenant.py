"""`make reset`: reset the running tenant between chapters, as the dev pages' Reset button does.

It forgets users (the file's users come back), codes, tokens, throttles, messages and clock
changes; the signing keys stay. The dev API wants a JSON body (its CSRF protection), and
when no tenant answers this says so and how to start one instead of printing a traceback.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request


def reset(tenant_url: str) -> str:
    """POST `{}` to the tenant's `/_dev/api/reset` and return its answer."""
    request = urllib.request.Request(  # noqa: S310 (an http(s) URL from the Makefile)
        tenant_url.rstrip("/") + "/_dev/api/reset",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the same URL)
        return response.read().decode()


def main(argv: list[str]) -> int:
    """Reset the tenant at the URL given (http://127.0.0.1:4000 by default)."""
    tenant_url = argv[1] if len(argv) > 1 else "http://127.0.0.1:4000"
    try:
        reset(tenant_url)
        print(
            f"The tenant at {tenant_url} forgot its users, codes, tokens, throttles, messages "
            "and clock changes; its signing keys stay."
        )
    except urllib.error.HTTPError as error:
        print(f"The tenant at {tenant_url} refused the reset: {error.code} {error.read().decode()}")
        return 1
    except OSError as error:
        print(f"No tenant answers at {tenant_url} ({error}). Start one with `make run-tenant`.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
