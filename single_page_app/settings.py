"""The SPA server's settings: code defaults, then the environment, then the caller."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping

# Zero-config defaults: the mock tenant from `make run-tenant`, the SPA client registered in its
# tenant.toml and the sample API on port 3010. To use a real Auth0 tenant, set the AUTH0_* names
# in the environment or a `.env` file (https://auth0.com/docs/quickstart/spa/vanillajs).
DEFAULTS = {
    "AUTH0_DOMAIN": "http://127.0.0.1:4000",
    "AUTH0_CLIENT_ID": "demo-single-page-app",
    "AUTH0_AUDIENCE": "urn:passwordless-demo:api",
    "API_URL": "http://localhost:3010",
    "PORT": 3001,
    # Where auth0-spa-js keeps tokens: "memory" (the default, and Auth0's) or "localstorage".
    # With "memory" a page reload forgets the tokens; "localstorage" keeps the session across
    # reloads, at the price of tokens readable by any script on this origin (an XSS steals
    # them). Read js/auth.js for the whole trade-off.
    # https://auth0.com/docs/libraries/auth0-single-page-app-sdk#change-storage-options
    "CACHE_LOCATION": "memory",
    # Host names this app answers to (the Host header's name; the port is not compared): a
    # page on another name that resolves to 127.0.0.1 (DNS rebinding) gets 400. Comma-separated.
    "TRUSTED_HOSTS": "localhost,127.0.0.1",
}

# The names Auth0's quickstarts use, read without a prefix so one `.env` serves every part.
ENV_NAMES = (
    "AUTH0_DOMAIN",
    "AUTH0_CLIENT_ID",
    "AUTH0_AUDIENCE",
    "API_URL",
    "PORT",
    "CACHE_LOCATION",
    "TRUSTED_HOSTS",
)
CACHE_LOCATIONS = ("memory", "localstorage")


def load(overrides: Mapping | None = None) -> dict:
    """Merge the defaults, the environment and the caller's overrides, in that order."""
    settings = dict(DEFAULTS)
    settings.update({name: os.environ[name] for name in ENV_NAMES if name in os.environ})
    settings.update(overrides or {})
    settings["TRUSTED_HOSTS"] = host_list(settings["TRUSTED_HOSTS"])
    settings["CACHE_LOCATION"] = str(settings["CACHE_LOCATION"]).strip().lower()
    if settings["CACHE_LOCATION"] not in CACHE_LOCATIONS:
        raise ValueError(f"CACHE_LOCATION must be one of {', '.join(CACHE_LOCATIONS)}")
    settings["TENANT_BASE_URL"] = tenant_base_url(settings["AUTH0_DOMAIN"])
    settings["API_URL"] = str(settings["API_URL"]).rstrip("/")
    return settings


def tenant_base_url(domain: str) -> str:
    """Turn `AUTH0_DOMAIN` into the tenant's base URL, without a trailing slash.

    Args:
        domain: a bare host such as `example.us.auth0.com` (HTTPS is meant, as with a real
            Auth0 tenant) or a full base URL such as `http://127.0.0.1:4000` (kept as is).

    Returns:
        The base URL; the issuer is this plus "/".

    """
    domain = str(domain).strip().rstrip("/")
    # The rule auth0-spa-js applies to its `domain` option (getDomain in src/Auth0Client.utils.ts).
    if re.match(r"^https?://", domain):
        return domain
    if "://" in domain:
        raise ValueError(f"AUTH0_DOMAIN must be a host name or an http(s) URL, not {domain!r}")
    return "https://" + domain


def origin(url: str) -> str:
    """Return the origin (`scheme://host:port`) of a URL, as CSP source lists name them."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_list(hosts) -> list[str]:
    """Read trusted host names from a comma-separated string or a list."""
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return [h.strip().lower() for h in hosts if h.strip()]
