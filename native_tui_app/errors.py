"""What can go wrong while logging in, as exceptions whose message a person can read.

`client.py` decides which of these an answer from the tenant means; the screens only show
`str(error)`. Every message may contain text the tenant sent, so screens must show it
literally (see `display.literal`).
"""

from __future__ import annotations


class AuthError(Exception):
    """A login step failed; the message says why, in words a user can act on.

    Attributes:
        error: the OAuth or Auth0 error code the tenant sent (`invalid_grant`, ...), if any.
        status: the HTTP status of the answer, if there was an answer.

    """

    def __init__(self, message: str, *, error: str | None = None, status: int | None = None):
        super().__init__(message)
        self.error = error
        self.status = status


class InvalidIdentifier(AuthError):
    """The tenant refused the email address or phone number (`bad.email`, `bad.phone_number`)."""


class WrongCode(AuthError):
    """The one-time code was wrong, or was never sent to this identifier."""


class CodeExpired(AuthError):
    """The one-time code was right but too old: ask for a new one."""


class TooManyAttempts(AuthError):
    """Too many wrong codes: the code is dead, or the identifier is locked for a while."""


class RateLimited(AuthError):
    """The tenant asked us to slow down (HTTP 429).

    Attributes:
        retry_after: seconds to wait, from the `Retry-After` header, if the tenant sent one.

    """

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SessionExpired(AuthError):
    """The refresh token was refused: the login is over and the user must sign in again."""


class TenantUnreachable(AuthError):
    """No answer from the tenant at all (refused, timed out, DNS)."""


class BadResponse(AuthError):
    """The tenant answered, but not in Auth0's shape (HTML, not JSON, missing fields)."""


class InvalidToken(AuthError):
    """An ID token failed validation (signature, issuer, audience, expiry, nonce)."""


class BrowserLoginFailed(AuthError):
    """Browser login did not complete: denied, wrong `state`, timed out or cancelled."""


class ApiUnreachable(AuthError):
    """No answer from the sample API (it is a separate process: `python -m sample_api`)."""
