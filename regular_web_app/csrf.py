"""CSRF protection for the app's POST forms: a random token in the session, echoed by each form.

A page from another site can make the browser POST to us with our cookie, but it cannot read
our pages, so it cannot know the token (the synchronizer token pattern,
https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html).
SameSite=Lax on the session cookie is a second wall, not the only one.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session

from .errors import FriendlyError

FIELD = "csrf_token"


def csrf_token() -> str:
    """Return this session's CSRF token, making one on first use (templates call this)."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def check_csrf() -> None:
    """Refuse a POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    expected = session.get(FIELD, "")
    presented = request.form.get(FIELD, "")
    # compare_digest takes time independent of where the strings differ; bytes, because
    # it refuses non-ASCII str and a visitor can send anything.
    if not (expected and hmac.compare_digest(expected.encode(), presented.encode())):
        raise FriendlyError(
            400,
            "This form has expired",
            "The form you sent did not carry the security token we expected, so we "
            "ignored it. This happens when a page stays open across a log-in or log-out, "
            "or when another site tries to send a form in your name.",
            "Reload the page and try again.",
        )


def init_app(app: Flask) -> None:
    """Check every POST before its view runs, and offer `csrf_token()` to templates."""
    app.before_request(check_csrf)
    app.add_template_global(csrf_token)
