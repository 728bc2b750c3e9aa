"""Checking and normalising the identifiers people log in with: emails and phone numbers."""

from __future__ import annotations

import functools
import re

# Auth0's own pattern for /passwordless/start (E.164: a plus and up to 15 digits).
PHONE_PATTERN = re.compile(r"^\+[0-9]{1,15}$")


class IdentifierError(ValueError):
    """An email address or phone number that cannot be used, with a readable reason."""


def normalize(connection: str, value: str) -> str:
    """Return the canonical form of an identifier for a connection, or raise IdentifierError."""
    if connection == "sms":
        # fullmatch, not match: `$` would accept a trailing newline.
        if not PHONE_PATTERN.fullmatch(value):
            raise IdentifierError(r"String does not match pattern: ^\+[0-9]{1,15}$")
        return value
    return normalize_email(value)


def normalize_email(value: str) -> str:
    """Validate an email address and return it lower-cased, as Auth0 stores it."""
    # ASCII only: no look-alike Unicode, no header injection (CR/LF are not ASCII-printable).
    if not (value.isascii() and value.isprintable()):
        raise IdentifierError("The email address must be plain ASCII with no line breaks.")
    return _validated_email(value)


# The same address comes back at each step of a login (start, then the code): checking it is
# pure (no DNS lookup), so the answer is kept; a refused address is checked again each time.
@functools.lru_cache(maxsize=1024)
def _validated_email(value: str) -> str:
    """Check an ASCII email address with email-validator and return it lower-cased."""
    # Imported on first use: email-validator compiles its RFC patterns on import, which
    # every start would pay for before it answers anything (bench/README.md: restart).
    from email_validator import EmailNotValidError, validate_email

    try:
        # test_environment lets the demo use the reserved .test domain (RFC 2606).
        result = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise IdentifierError(str(error)) from None
    return result.normalized.lower()
