"""Bearer tokens over HTTP (RFC 6750): read the token, check the scope, answer with a challenge."""

from __future__ import annotations

import functools
import json
import re

from flask import Response, current_app, g, request

from .validator import InvalidTokenError

# The protection space named in every challenge (RFC 6750 section 3, `realm`).
REALM = "sample-api"

# https://www.rfc-editor.org/rfc/rfc6750#section-2.1: `Bearer` then one b64token.
BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)


class BearerError(Exception):
    """A refused request, answered with a JSON body and a `WWW-Authenticate` challenge."""

    def __init__(self, status: int, error: str | None, description: str, scope: str | None = None):
        super().__init__(description)
        self.status, self.error, self.description, self.scope = status, error, description, scope

    def response(self) -> Response:
        """Render the refusal as RFC 6750 section 3 and Auth0's error shape describe it."""
        # https://www.rfc-editor.org/rfc/rfc6750#section-3
        challenge = [f'realm="{REALM}"']
        if self.error:
            challenge.append(f'error="{self.error}"')
            challenge.append(f'error_description="{self.description}"')
        if self.scope:
            challenge.append(f'scope="{self.scope}"')
        body = {"error": self.error or "unauthorized", "error_description": self.description}
        return Response(
            json.dumps(body),
            status=self.status,
            mimetype="application/json",
            headers={"WWW-Authenticate": "Bearer " + ", ".join(challenge)},
        )


def bearer_token() -> str:
    """Return the access token from the `Authorization` header, or raise BearerError."""
    # RFC 6750 section 2.3 allows `?access_token=` but says not to: URLs end up in logs and
    # Referer headers (docs/security.md rule 6). This API takes the header only, and says so.
    # https://www.rfc-editor.org/rfc/rfc6750#section-2.3
    if "access_token" in request.args:
        raise BearerError(
            400, "invalid_request", "Send the access token in the Authorization header only."
        )
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer"):
        # RFC 6750 section 3.1: a request with no credentials (or another scheme) gets a
        # bare challenge, without an error code.
        raise BearerError(401, None, "An Authorization header with a Bearer token is expected.")
    match = BEARER.fullmatch(header)
    if match is None:
        raise BearerError(401, "invalid_token", "The Authorization header is malformed.")
    return match.group(1)


def token_scopes(claims: dict) -> set[str]:
    """Collect what a token allows: its `scope` string and Auth0's `permissions` list."""
    # https://www.rfc-editor.org/rfc/rfc9068#section-2.2.3 (`scope`, space-separated)
    scope = claims.get("scope")
    granted = set(scope.split()) if isinstance(scope, str) else set()
    # Auth0 RBAC with "Add Permissions in the Access Token" puts them in `permissions`.
    # https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis
    permissions = claims.get("permissions")
    if isinstance(permissions, list):
        granted |= {p for p in permissions if isinstance(p, str)}
    return granted


def requires_auth(scope: str | None = None):
    """Protect a view: a valid access token for this API, holding `scope` if one is named."""

    def decorator(view):
        """Wrap one view with the token and scope checks."""

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            """Check the request's token, then run the view with its claims in `g`."""
            token = bearer_token()
            try:
                claims = current_app.extensions["sample_api.validator"].validate(token)
            except InvalidTokenError as error:
                raise BearerError(401, "invalid_token", str(error)) from None
            # RFC 6750 section 3.1: a valid token without the needed scope is 403, and the
            # challenge names the scope to ask for.
            if scope and scope not in token_scopes(claims):
                raise BearerError(
                    403,
                    "insufficient_scope",
                    f"The access token lacks the {scope} scope.",
                    scope=scope,
                )
            g.access_token_claims = claims
            return view(*args, **kwargs)

        return wrapper

    return decorator
