"""A regular web app (a confidential client) that logs users in with passwordless login."""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from cachelib import FileSystemCache
from flask import Flask, current_app, request
from flask_session import Session

from . import auth, auth0_client, csrf, errors, settings, views


def create_app(config: Mapping | None = None) -> Flask:
    """Create and configure the web app's Flask application.

    Args:
        config: settings that win over the defaults and the environment, such as
            `{"AUTH0_DOMAIN": "http://127.0.0.1:4000"}` (names in `regular_web_app/settings.py`)
            or any Flask setting (`SESSION_COOKIE_SECURE`, ...).

    Returns:
        A WSGI application serving `/`, `/login`, `/callback`, `/profile`, `/api-call`
        and `/logout`.

    """
    app = Flask(__name__)
    loaded = settings.load(config)
    base_url = loaded["TENANT_BASE_URL"]
    served_over_https = urllib.parse.urlsplit(loaded["APP_BASE_URL"]).scheme == "https"
    app.config.from_mapping(
        SECRET_KEY=loaded["APP_SECRET_KEY"],
        # Server-side sessions (Flask-Session over cachelib's FileSystemCache): the cookie
        # holds only a random session id, the tokens stay on the server (docs/security.md rule 13).
        # Flask-Session 0.8.0 works with Flask 3.1 as pinned; the tests in
        # tests/regular_web_app/test_session_and_logout.py keep checking it.
        # https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#cookies
        SESSION_TYPE="cachelib",
        # Our own cookie name, so the app's cookie and the tenant's never mix. Over HTTPS it
        # carries the __Host- prefix: browsers then accept the cookie only with Secure,
        # Path=/ and no Domain, so a sibling subdomain or a plain-http page cannot plant or
        # overwrite it. Browsers refuse Secure cookies from http:// pages, hence HTTPS only.
        # https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#name-the-__host-prefix
        # https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Set-Cookie#cookie_prefixes
        SESSION_COOKIE_NAME=("__Host-" if served_over_https else "") + "webapp_session",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax, not Strict: Strict would leave the cookie off the redirect back from the
        # tenant to /callback, and the login could never finish.
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure whenever the setup is HTTPS (the app's own URL, or a real Auth0 tenant).
        # Plain HTTP on loopback is the one place this demo goes without: not every browser
        # keeps a Secure cookie that came over http, even from localhost.
        SESSION_COOKIE_SECURE=served_over_https
        or urllib.parse.urlsplit(base_url).scheme == "https",
        # Links the app builds outside a request use its own scheme.
        PREFERRED_URL_SCHEME="https" if served_over_https else "http",
        # A browser-session cookie. The stored session lapses after SESSION_IDLE_MINUTES
        # without a request: each request pushes the store's expiry that far ahead again.
        # auth.py also ends a session at that idle time and SESSION_MAX_HOURS after login.
        # https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration
        SESSION_PERMANENT=False,
        SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=datetime.timedelta(minutes=loaded["SESSION_IDLE_MINUTES"]),
        # The app's forms carry a CSRF token and little else: a bigger body is refused with
        # 413 before it is read, so nobody can make the app hold 10 MB per request.
        # https://flask.palletsprojects.com/en/stable/config/#MAX_CONTENT_LENGTH
        # https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    # The caller's settings (and the environment's) win over everything above. Among them,
    # TRUSTED_HOSTS against DNS rebinding: a page on evil.example whose name comes to resolve
    # to 127.0.0.1 reaches this server with "Host: evil.example". Flask checks every
    # request's Host against that list and answers 400 otherwise.
    # https://flask.palletsprojects.com/en/stable/config/#TRUSTED_HOSTS
    app.config.update(loaded)
    app.config["SESSION_CACHELIB"] = FileSystemCache(
        str(Path(app.config["SESSION_DIR"]).resolve()),
        threshold=1000,
        # Only this user may read the session files: they hold tokens. (cachelib pickles
        # them, which is safe only because nothing but this app writes the folder.)
        mode=0o600,
    )
    Session(app)

    csrf.init_app(app)
    auth0_client.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    errors.register_error_handlers(app)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)
    return app


def _security_headers(response):
    """Add headers that keep pages out of caches, frames and other sites' Referer logs."""
    tenant_origin = current_app.config["TENANT_BASE_URL"]
    # https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html
    response.headers.setdefault(
        "Content-Security-Policy",
        # Nothing from a third party; forms post here, and logout's redirect goes to the
        # tenant (browsers apply form-action to a form's redirects too).
        f"default-src 'self'; img-src 'self' data:; form-action 'self' {tenant_origin}; "
        "frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # A /callback URL carries a code and state: no Referer may take it to another site.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.endpoint != "static":
        # Pages show personal data and tokens: no shared or browser cache keeps them.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _template_helpers() -> dict:
    """Offer the templates a few helpers: initials, a display name, the tenant's outbox."""
    base_url = current_app.config["TENANT_BASE_URL"]
    host = urllib.parse.urlsplit(base_url).hostname or ""
    return {
        "initials": _initials,
        "display_name": _display_name,
        # The mock tenant's outbox (where codes land) exists only on a local tenant.
        "outbox_url": base_url + "/_dev/outbox" if host in ("127.0.0.1", "localhost") else None,
        "timestamp": _timestamp,
    }


def _display_name(user: Mapping) -> str:
    """Return the friendliest name the claims offer."""
    return (
        user.get("given_name")
        or user.get("nickname")
        or user.get("name")
        or user.get("email")
        or user.get("phone_number")
        or "there"
    )


def _initials(user: Mapping) -> str:
    """Return one or two letters for the avatar, from the names the claims offer."""
    names = [user.get("given_name"), user.get("family_name")]
    letters = "".join(n[0] for n in names if isinstance(n, str) and n[:1].isalpha())
    if letters:
        return letters.upper()
    nickname = str(user.get("nickname") or user.get("name") or "")
    # SMS users' names are phone numbers, which make poor initials.
    return nickname[0].upper() if nickname[:1].isalpha() else "#"


def _timestamp(seconds) -> str:
    """Format a Unix time as UTC, with how long until (or since) it, for token expiry."""
    if not isinstance(seconds, int | float):
        return "unknown"
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    delta = int(seconds - datetime.datetime.now(datetime.UTC).timestamp())
    hours, minutes = abs(delta) // 3600, abs(delta) % 3600 // 60
    span = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    when = f"in {span}" if delta >= 0 else f"{span} ago"
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({when})"
