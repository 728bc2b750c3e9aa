"""What every HTTP adapter shares: this request's tenant, reading bodies, Auth0's error shape."""

from __future__ import annotations

import json

from flask import Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from .core.tenant import Tenant


def current_tenant() -> Tenant:
    """Return the tenant of the Flask app handling this request."""
    return current_app.extensions["mock_tenant"]


# Auth0 answers errors as {"error": ..., "error_description": ...}
# (https://auth0.com/docs/api/authentication#standard-error-responses).


class ApiError(Exception):
    """An error answered in Auth0's JSON shape with a given status."""

    def __init__(self, status: int, error: str, description: str, headers: dict | None = None):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.headers = headers or {}

    def response(self) -> Response:
        """Render the error as Auth0 does."""
        return error_response(self.status, self.error, self.description, self.headers)


def error_response(
    status: int, error: str, description: str, headers: dict | None = None
) -> Response:
    """Return `{"error", "error_description"}` with a status, never cached."""
    body = json.dumps({"error": error, "error_description": description})
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def refuse_oversized_body() -> None:
    """Refuse a request whose declared body is over the cap, whether or not a view reads it."""
    # Flask applies MAX_CONTENT_LENGTH only when a body is read; /userinfo and every GET
    # never read theirs, and would otherwise answer as if nothing had been sent.
    length, cap = request.content_length, current_app.config["MAX_CONTENT_LENGTH"]
    if length is not None and cap is not None and length > cap:
        raise RequestEntityTooLarge()


def read_params(objects: tuple[str, ...] = ()) -> dict:
    """Read a request body, JSON or form-encoded, as a dict of strings.

    Auth0 accepts both encodings on its API. JSON `null` counts as absent. Only the
    fields named in `objects` may be JSON objects (of strings); anything else that is
    not a string is refused, so a code sent as a number or a list never reaches a check.

    Raises:
        ApiError: 400 for malformed JSON, a wrong type or a repeated form field.

    """
    if request.mimetype == "application/json" or request.is_json:
        try:
            data = json.loads(
                request.get_data(cache=True) or b"{}", object_pairs_hook=_refuse_duplicate_names
            )
        except (ValueError, RecursionError):
            # RecursionError: deeply nested JSON exhausts the parser's stack.
            raise ApiError(400, "invalid_request", "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_request", "The request body must be a JSON object.")
        return {k: _checked(k, v, k in objects) for k, v in data.items() if v is not None}

    params: dict = {}
    for key, values in request.form.lists():
        # https://www.rfc-editor.org/rfc/rfc6749#section-3.1: no parameter twice.
        if len(values) > 1:
            raise ApiError(400, "invalid_request", f"Multiple '{key}' in request.")
        params[key] = values[0]
    return params


def _refuse_duplicate_names(pairs: list[tuple]) -> dict:
    """Build a JSON object, refusing a name given twice (`{"otp": "1", "otp": "2"}`)."""
    # https://www.rfc-editor.org/rfc/rfc8259#section-4: with duplicate names, parsers
    # disagree on which value counts, so a proxy and the tenant could read different fields.
    # Like a repeated form field (RFC 6749 3.1), it is refused rather than guessed at.
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ApiError(400, "invalid_request", "A field appears twice in the request body.")
    return dict(pairs)


def _checked(key: str, value, may_be_object: bool):
    """Return a JSON value if it is a string (or an object of strings where allowed)."""
    if isinstance(value, str):
        # JSON may escape a lone surrogate ("\ud800"): valid JSON, but no text that can be
        # encoded, hashed or compared, so refuse it here rather than fail deep inside.
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(400, "invalid_request", f"'{key}' is not valid text.") from None
        return value
    if may_be_object and isinstance(value, dict):
        return {k: _checked(f"{key}.{k}", v, False) for k, v in value.items() if v is not None}
    raise ApiError(400, "invalid_request", f"'{key}' must be a string.")
