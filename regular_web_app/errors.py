"""Friendly error pages: every failure becomes a page that says what happened, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import jwt
import requests
from authlib.integrations.base_client import OAuthError
from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, SecurityError

log = logging.getLogger("regular_web_app")


class FriendlyError(Exception):
    """A failure to show the visitor as a page: a status, a title, what happened, what to do."""

    def __init__(self, status: int, title: str, message: str, hint: str = ""):
        super().__init__(message)
        self.status, self.title, self.message, self.hint = status, title, message, hint


class TenantUnavailable(FriendlyError):
    """The login service (the tenant) could not be reached or did not answer in time."""

    def __init__(self, what: str, status: int = 503):
        super().__init__(
            status,
            "The login service is not answering",
            f"We could not reach the login service while {what}.",
            "It may be restarting. Wait a moment, then try again.",
        )


class TenantGarbled(FriendlyError):
    """The tenant answered, but with something that is not the JSON the protocol promises."""

    def __init__(self, what: str):
        super().__init__(
            502,
            "The login service sent an answer we could not read",
            f"While {what}, the login service answered with something other than the "
            "JSON the protocol promises (an HTML error page, perhaps).",
            "This is usually a passing fault in front of the service. Try again shortly.",
        )


@contextmanager
def talking_to_tenant(what: str) -> Iterator[None]:
    """Turn network and parsing failures of a call to the tenant into friendly errors.

    Args:
        what: the step in progress, as a phrase ("exchanging the login code").

    """
    try:
        yield
    # Timeout before ConnectionError: a connect timeout is both, and "slow" is the better news.
    except requests.Timeout:
        raise TenantUnavailable(what, status=504) from None
    except (requests.ConnectionError, jwt.PyJWKClientConnectionError):
        raise TenantUnavailable(what) from None
    except requests.HTTPError as error:
        # A 5xx (or a non-JSON 4xx) from the tenant: it is up but not well.
        log.warning("Tenant answered HTTP %s while %s", error.response.status_code, what)
        raise TenantGarbled(what) from None
    # requests' JSONDecodeError is a ValueError; so is Authlib's "not a JSON object".
    except (ValueError, KeyError, TypeError, jwt.PyJWKClientError):
        # exc_info: should this ever be a bug of ours rather than the tenant's, the log shows it.
        log.warning("Tenant answered something unreadable while %s", what, exc_info=True)
        raise TenantGarbled(what) from None


def register_error_handlers(app: Flask) -> None:
    """Render FriendlyError, HTTP errors and anything unexpected as pages."""

    @app.errorhandler(FriendlyError)
    def friendly(error: FriendlyError):
        """Show a FriendlyError with its status."""
        return _page(error.status, error.title, error.message, error.hint)

    @app.errorhandler(OAuthError)
    def oauth_error(error: OAuthError):
        """Show an OAuth error the tenant answered outside a step that expected it."""
        return _page(400, "The login did not complete", error.description or error.error)

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """Answer a Host this app does not serve (TRUSTED_HOSTS) with a bare 400."""
        # Plain text, not the page template: with an untrusted Host, Flask builds no URLs.
        return (
            "This app does not answer to that host name.",
            400,
            {"Content-Type": "text/plain; charset=utf-8"},
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        """Show a page for a request body over MAX_CONTENT_LENGTH (413)."""
        return _page(
            413,
            "That request was too large",
            "The form sent more data than this app accepts, so it was not read.",
            "Go back to the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Show 404, 405 and friends as pages in the app's look."""
        return _page(error.code or 500, error.name, error.description or "")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        """Log an unexpected error on the server and show the visitor no internals."""
        log.exception("Unhandled error")
        return _page(
            500,
            "Something went wrong on our side",
            "The page hit an error we did not expect. It has been logged.",
            "Go back to the home page and try again.",
        )


def _page(status: int, title: str, message: str, hint: str = ""):
    """Render the error page template with a status."""
    return render_template("error.html", title=title, message=message, hint=hint), status
