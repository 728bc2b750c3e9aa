"""The API's settings: code defaults, then Auth0's quickstart environment names, then the caller."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from .validator import JWKS_COOLDOWN_SECONDS, JWKS_LIFESPAN_SECONDS

# Zero-config defaults: the mock tenant from `make run-tenant` and the SPA on port 3001.
# Override any of them in the environment (or a `.env` file) to point at a real Auth0 tenant.
DEFAULTS = {
    "AUTH0_DOMAIN": "http://127.0.0.1:4000",
    "AUTH0_AUDIENCE": "urn:passwordless-demo:api",
    "PORT": 3010,
    "ALLOWED_ORIGINS": "http://localhost:3001",
    # How long the signing keys are kept before they are fetched again, in seconds.
    "JWKS_CACHE_LIFESPAN": JWKS_LIFESPAN_SECONDS,
    # The least time between two fetches caused by an unknown `kid`, in seconds.
    "JWKS_COOLDOWN": JWKS_COOLDOWN_SECONDS,
    # Host names this app answers to (the Host header's name; the port is not compared): a
    # page on another name that resolves to 127.0.0.1 (DNS rebinding) gets 400. Comma-separated.
    "TRUSTED_HOSTS": "localhost,127.0.0.1",
}

# The names Auth0's quickstarts use, read without a prefix so one `.env` serves them all.
ENV_NAMES = ("AUTH0_DOMAIN", "AUTH0_AUDIENCE", "PORT", "ALLOWED_ORIGINS", "TRUSTED_HOSTS")


def load(overrides: Mapping | None = None) -> dict:
    """Merge the defaults, the environment and the caller's overrides, in that order."""
    settings = dict(DEFAULTS)
    settings.update({name: os.environ[name] for name in ENV_NAMES if name in os.environ})
    settings.update(overrides or {})
    settings["TRUSTED_HOSTS"] = host_list(settings["TRUSTED_HOSTS"])
    settings["ALLOWED_ORIGINS"] = origin_list(settings["ALLOWED_ORIGINS"])
    return settings


def tenant_base_url(domain: str) -> str:
    """Turn `AUTH0_DOMAIN` into the tenant's base URL, without a trailing slash.

    Args:
        domain: a bare host such as `example.us.auth0.com` (HTTPS is meant, as with a real
            Auth0 tenant) or a full base URL such as `http://127.0.0.1:4000` (kept as is).

    Returns:
        The base URL; the issuer is this plus "/".

    """
    domain = domain.strip().rstrip("/")
    # The rule auth0-spa-js applies to its `domain` option (getDomain in src/Auth0Client.utils.ts).
    if re.match(r"^https?://", domain):
        return domain
    if "://" in domain:
        raise ValueError(f"AUTH0_DOMAIN must be a host name or an http(s) URL, not {domain!r}")
    return "https://" + domain


def origin_list(origins) -> tuple[str, ...]:
    """Read allowed CORS origins from a comma-separated string or a list."""
    if isinstance(origins, str):
        origins = origins.split(",")
    # An origin has no path, so a trailing slash in the setting is a typo we forgive.
    return tuple(o.strip().rstrip("/") for o in origins if o.strip())


def host_list(hosts) -> list[str]:
    """Read trusted host names from a comma-separated string or a list."""
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return [h.strip().lower() for h in hosts if h.strip()]
