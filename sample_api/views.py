"""The API's endpoints, as in Auth0's API quickstarts: one public, one private, one scoped."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .auth import requires_auth
from .cors import add_cors_headers, answer_preflight

bp = Blueprint("views", __name__, url_prefix="/api")
bp.before_request(answer_preflight)
bp.after_request(add_cors_headers)

# The permission `/api/private-scoped` needs, defined on the API in the tenant.
READ_MESSAGES = "read:messages"


@bp.get("/public")
def public():
    """Answer anyone: no token needed."""
    return jsonify(
        message="Hello from a public endpoint! You don't need to be authenticated to see this."
    )


@bp.get("/private")
@requires_auth()
def private():
    """Answer a caller with a valid access token for this API."""
    return jsonify(
        message="Hello from a private endpoint! You need to be authenticated to see this."
    )


@bp.get("/private-scoped")
@requires_auth(scope=READ_MESSAGES)
def private_scoped():
    """Answer a caller whose access token also holds the `read:messages` scope."""
    return jsonify(
        message="Hello from a private endpoint! You need to be authenticated and have a "
        "scope of read:messages to see this."
    )
