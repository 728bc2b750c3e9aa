"""The web app's settings: code defaults, then Auth0's quickstart env names, then the caller."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping

# Zero-config defaults: the mock tenant from `make run-tenant`, the demo client registered in
# its tenant.toml, and the sample API on port 3010. To use a real Auth0 tenant, set the
# AUTH0_* names in the environment or a `.env` file (https://auth0.com/docs/quickstart/webapp/python).
DEFAULTS = {
    "AUTH0_DOMAIN": "http://127.0.0.1:4000",
    "AUTH0_CLIENT_ID": "demo-regular-web-app",
    # DEMO SECRET ONLY: it is in the mock tenant's config file for everyone to read.
    "AUTH0_CLIENT_SECRET": "demo-regular-web-app-secret",
    "AUTH0_AUDIENCE": "urn:passwordless-demo:api",
    # Left empty, a random key is made at start (see create_app).
    "APP_SECRET_KEY": "",
    "PORT": 3000,
    # Where visitors reach this app. Left empty: http://localhost:PORT. An https:// URL (the
    # app behind a TLS proxy) makes the session cookie Secure with the __Host- prefix.
    "APP_BASE_URL": "",
    "API_URL": "http://localhost:3010",
    # Permissions of the API a visitor may ask for at /login?scope=... (space-separated).
    "API_SCOPES": "read:messages",
    # Where the server-side sessions live (one small file each).
    "SESSION_DIR": "var/web-sessions",
    # Seconds to wait for the tenant or the API before calling it down.
    "HTTP_TIMEOUT": 10,
    # A signed-in session ends after this many minutes without a request (idle timeout) ...
    "SESSION_IDLE_MINUTES": 30,
    # ... and this many hours after the login, however busy (absolute lifetime).
    "SESSION_MAX_HOURS": 8,
    # Host names this app answers to (the Host header's name; the port is not compared): a
    # page on another name that resolves to 127.0.0.1 (DNS rebinding) gets 400. Comma-separated.
    "TRUSTED_HOSTS": "localhost,127.0.0.1",
}

# The names Auth0's quickstarts use, read without a prefix so one `.env` serves every part.
ENV_NAMES = (
    "AUTH0_DOMAIN",
    "AUTH0_CLIENT_ID",
    "AUTH0_CLIENT_SECRET",
    "AUTH0_AUDIENCE",
    "APP_SECRET_KEY",
    "PORT",
    "APP_BASE_URL",
    "API_URL",
    "TRUSTED_HOSTS",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
)


def load(overrides: Mapping | None = None) -> dict:
    """Merge the defaults, the environment and the caller's overrides, in that order."""
    settings = dict(DEFAULTS)
    settings.update({name: os.environ[name] for name in ENV_NAMES if name in os.environ})
    settings.update(overrides or {})
    settings["TRUSTED_HOSTS"] = host_list(settings["TRUSTED_HOSTS"])
    settings["SESSION_IDLE_MINUTES"] = float(settings["SESSION_IDLE_MINUTES"])
    settings["SESSION_MAX_HOURS"] = float(settings["SESSION_MAX_HOURS"])
    # The session id in the cookie is random and unsigned, so nothing long-lived depends on
    # this key; a fresh one per start is safer than a well-known "dev" string.
    settings["APP_SECRET_KEY"] = settings["APP_SECRET_KEY"] or secrets.token_hex(32)
    settings["TENANT_BASE_URL"] = tenant_base_url(settings["AUTH0_DOMAIN"])
    settings["API_URL"] = str(settings["API_URL"]).rstrip("/")
    base = str(settings["APP_BASE_URL"]).strip() or f"http://localhost:{settings['PORT']}"
    if not re.match(r"^https?://", base):
        raise ValueError(f"APP_BASE_URL must be an http(s) URL, not {base!r}")
    settings["APP_BASE_URL"] = base.rstrip("/")
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


def host_list(hosts) -> list[str]:
    """Read trusted host names from a comma-separated string or a list."""
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return [h.strip().lower() for h in hosts if h.strip()]
