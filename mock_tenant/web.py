"""What every HTTP adapter shares: this request's tenant, reading bodies, Auth0's error shape."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import urllib.parse
from collections.abc import Callable

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


# https://www.rfc-editor.org/rfc/rfc6749#section-5.2: error_description may only hold
# %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash, no line break, ASCII only).
NOT_ALLOWED_IN_DESCRIPTION = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def echo(value: str) -> str:
    """Make request input safe to repeat in an error description: `?` for what is not allowed."""
    return NOT_ALLOWED_IN_DESCRIPTION.sub("?", value[:200])


# The names of this machine's loopback interface. A tenant whose issuer is one of them
# answers to all of them: a browser may reach it as 127.0.0.1, localhost or [::1].
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def host_guard(issuer: str) -> Callable[[], Response | None]:
    """Return a before-request hook that answers 421 to a Host that is not the tenant's.

    DNS rebinding: a web page on `rebind.example` points its name at 127.0.0.1 and then
    reads the learner's running tenant as if it were its own origin (the dev outbox, every
    code). The browser still sends `Host: rebind.example:PORT`, so answering only the
    issuer's host (and, for a loopback issuer, the loopback names) closes it.
    https://www.rfc-editor.org/rfc/rfc9110#section-15.5.20 (421 Misdirected Request);
    https://www.rfc-editor.org/rfc/rfc6454#section-7 (the Host header and DNS rebinding).
    """
    parts = urllib.parse.urlsplit(issuer)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    names = {parts.hostname}
    if is_loopback(parts.hostname or ""):
        names |= LOOPBACK_NAMES

    def refuse_foreign_host() -> Response | None:
        """Answer 421 unless the request names this tenant's host (and port, if any)."""
        try:
            host = urllib.parse.urlsplit("//" + request.host)
            name, given = host.hostname, host.port
        except ValueError:
            name, given = None, None
        # A Host without a port means the scheme's default; Werkzeug's test client and
        # clients on the default port send none. Either way the name decides.
        if name in names and given in (None, port):
            return None
        return error_response(
            421,
            "invalid_request",
            f"This tenant answers only for {parts.netloc}; the request named another host.",
        )

    return refuse_foreign_host


def tenant_origins(issuer: str) -> set[str]:
    """Return the origins this tenant's own pages are served from (scheme, host and port)."""
    parts = urllib.parse.urlsplit(issuer)
    if not is_loopback(parts.hostname or ""):
        return {f"{parts.scheme}://{parts.netloc}"}
    port = f":{parts.port}" if parts.port else ""
    hosts = ("[::1]" if name == "::1" else name for name in LOOPBACK_NAMES)
    return {f"{parts.scheme}://{host}{port}" for host in hosts}


def is_loopback(host: str) -> bool:
    """Tell whether a host name or address stands for this machine's loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_oversized_body() -> None:
    """Refuse a request whose body is over the cap, declared or sent in chunks, read or not."""
    # Flask applies MAX_CONTENT_LENGTH only when a body is read; /userinfo and every GET
    # never read theirs, and would otherwise answer as if nothing had been sent.
    length, cap = request.content_length, current_app.config["MAX_CONTENT_LENGTH"]
    if cap is None:
        return
    if length is not None and length > cap:
        raise RequestEntityTooLarge()
    if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        _read_chunked_body(cap)


def _read_chunked_body(cap: int) -> None:
    """Read a body sent in chunks (no Content-Length) now, refusing one over the cap with 413."""
    # Werkzeug stops such a body at MAX_CONTENT_LENGTH without looking for more (its
    # LimitedStream.readall, https://github.com/pallets/werkzeug/pull/2620), so a longer one
    # came through cut at the cap and was answered as if whole. One byte past the cap tells
    # the two apart; the server (cheroot, gunicorn) ends the stream after the last chunk.
    # The suite's choice, as for a declared length: Auth0 documents no limit for either.
    body = request.environ["wsgi.input"].read(cap + 1)
    if len(body) > cap:
        raise RequestEntityTooLarge()
    request.environ["wsgi.input"] = io.BytesIO(body)


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
