"""Auth0's Management API for users (`/api/v2/users`): thin views over the core.

https://auth0.com/docs/api/management/v2/users/get-users and the pages next to it. The
error bodies are the Management API's: `{"statusCode", "error", "message", "errorCode"}`;
Auth0's validator words them `Payload validation error: '...'` (bodies) and
`Query validation error: '...'` (query strings).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from ..core import management, user_search, users
from ..core.identifiers import IdentifierError, normalize
from ..core.management import ManagementError
from ..web import current_tenant

bp = Blueprint("management", __name__, url_prefix="/api/v2")

# https://auth0.com/docs/api/management/v2/users/get-users (query parameters)
LIST_PARAMETERS = {
    "page",
    "per_page",
    "include_totals",
    "sort",
    "connection",
    "fields",
    "include_fields",
    "q",
    "search_engine",
    "primary_order",
}
# https://auth0.com/docs/api/management/v2/users/post-users (body fields); `password`,
# `username`, `user_id` and `blocked` belong to other connections or are not kept here.
CREATE_FIELDS = {
    "connection",
    "email",
    "phone_number",
    "email_verified",
    "phone_verified",
    "verify_email",
    "user_metadata",
    "app_metadata",
    *management.PROFILE_FIELDS,
}
# https://auth0.com/docs/api/management/v2/users/patch-users-by-id
UPDATE_FIELDS = CREATE_FIELDS | {"client_id"}
STRING_FIELDS = {"connection", "email", "phone_number", "client_id", *management.PROFILE_FIELDS}
BOOLEAN_FIELDS = {"email_verified", "phone_verified", "verify_email"}
OBJECT_FIELDS = {"user_metadata", "app_metadata"}
# Fields other kinds of connection have; this tenant's connections are all passwordless.
OTHER_CONNECTIONS_FIELDS = {"password", "username", "user_id", "blocked"}


@bp.errorhandler(ManagementError)
def management_error(error: ManagementError) -> Response:
    """Answer in the Management API's error shape."""
    return _json(error.body, error.status)


def _json(body, status: int = 200) -> Response:
    """Return a JSON response."""
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _authorize(scope: str) -> None:
    """Require a Management API token with a scope."""
    management.check_token(current_tenant(), request.headers.get("Authorization"), scope)


def _query_error(message: str) -> ManagementError:
    """Return a 400 for a query string, in Auth0's words."""
    return ManagementError(400, f"Query validation error: {message}", "invalid_query_string")


def _payload_error(message: str) -> ManagementError:
    """Return a 400 for a request body, in Auth0's words."""
    return ManagementError(400, f"Payload validation error: {message}", "invalid_body")


def _integer(name: str, default: int, low: int, high: int | None = None) -> int:
    """Read a whole-number query parameter within bounds."""
    text = request.args.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise _query_error(f"'Expected type integer but found type string' on property {name}.")
    value = int(text)
    if value < low:
        raise _query_error(f"'Value {value} is less than minimum {low}' on property {name}.")
    if high is not None and value > high:
        raise _query_error(f"'Value {value} is greater than maximum {high}' on property {name}.")
    return value


def _boolean(name: str, default: bool) -> bool:
    """Read a true/false query parameter."""
    text = request.args.get(name)
    if text is None:
        return default
    # Case-insensitive, as Auth0's validator (Joi) converts booleans by default.
    if text.lower() not in ("true", "false"):
        raise _query_error(f"'Expected type boolean but found type string' on property {name}.")
    return text.lower() == "true"


def _only_known_parameters(known: set[str]) -> None:
    """Refuse query parameters the endpoint does not have, and repeated ones."""
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise _query_error(f"'Additional properties not allowed: {','.join(unknown)}'.")
    repeated = sorted(name for name, values in request.args.lists() if len(values) > 1)
    if repeated:
        raise _query_error(
            f"'Expected type string but found type array' on property {repeated[0]}."
        )


def _projected(bodies: list[dict]) -> list[dict]:
    """Keep (or drop) the fields named by `fields`, as `include_fields` says."""
    fields = [f.strip() for f in request.args.get("fields", "").split(",") if f.strip()]
    if not fields:
        return bodies
    include = _boolean("include_fields", True)
    return [{k: v for k, v in b.items() if (k in fields) == include} for b in bodies]


@bp.get("/users")
def list_users():
    """List or search users, a page at a time."""
    _authorize("read:users")
    _only_known_parameters(LIST_PARAMETERS)
    page = _integer("page", 0, 0)
    per_page = _integer("per_page", management.DEFAULT_PER_PAGE, 1, management.MAX_PER_PAGE)
    include_totals = _boolean("include_totals", False)
    _boolean("primary_order", True)
    _boolean("include_fields", True)
    # Only v3 is left: https://auth0.com/docs/manage-users/user-search/migrate-v2-v3
    if request.args.get("search_engine", "v3") != "v3":
        raise _query_error(
            "'No enum match for: " + request.args["search_engine"] + "' on property search_engine."
        )
    sort = _sort(request.args.get("sort"))
    try:
        found = management.search(current_tenant(), request.args.get("q"), sort)
    except user_search.QueryError as error:
        raise ManagementError(400, f"Invalid query: {error}", "invalid_query_string") from None
    start = page * per_page
    users = _projected(found[start : start + per_page])
    if not include_totals:
        return _json(users)
    return _json(
        {
            "start": start,
            "limit": per_page,
            "length": len(users),
            "total": len(found),
            "users": users,
        }
    )


def _sort(text: str | None) -> tuple[str, int] | None:
    """Read `sort=field:1` (ascending) or `field:-1` (descending)."""
    if text is None:
        return None
    field, _, direction = text.partition(":")
    if not field or direction not in ("1", "-1"):
        raise _query_error(
            f"'sort must be field:1 or field:-1, not {text[:100]}' on property sort."
        )
    return field, int(direction)


@bp.get("/users/<path:user_id>")
def get_user(user_id: str):
    """Return one user."""
    _authorize("read:users")
    _only_known_parameters({"fields", "include_fields"})
    return _json(_projected([management.get_body(current_tenant(), user_id)])[0])


@bp.get("/users-by-email")
def users_by_email():
    """Return the users with an email address (any case)."""
    _authorize("read:users")
    _only_known_parameters({"email", "fields", "include_fields"})
    email = request.args.get("email")
    if email is None:
        raise _query_error("'Missing required property: email'.")
    return _json(_projected(management.by_email(current_tenant(), email)))


@bp.post("/users")
def create_user():
    """Create a passwordless user on the `email` or `sms` connection."""
    _authorize("create:users")
    body = _body(CREATE_FIELDS)
    name = body.get("connection")
    if name is None:
        raise _payload_error("'Missing required property: connection'.")
    connection = current_tenant().config.connection(name)
    if connection is None:
        raise ManagementError(400, "The connection does not exist.", "inexistent_connection")
    identifier = _identifier(connection.name, body, required=True)
    verified = body.get("email_verified" if connection.name == "email" else "phone_verified")
    user = management.create(
        current_tenant(),
        connection.name,
        identifier,
        bool(verified),
        {k: body[k] for k in management.PROFILE_FIELDS if k in body},
        body,
    )
    return _json(user, 201)


@bp.patch("/users/<path:user_id>")
def update_user(user_id: str):
    """Change a user's address or number, verified flag, attributes or metadata."""
    _authorize("update:users")
    body = _body(UPDATE_FIELDS, nullable=True)
    current = management.get_body(current_tenant(), user_id)
    connection = current["identities"][0]["connection"]
    changes: dict = {
        "profile": {k: body[k] for k in management.PROFILE_FIELDS if k in body},
        "user_metadata": body.get("user_metadata"),
        "app_metadata": body.get("app_metadata"),
        "verified": body.get("email_verified" if connection == "email" else "phone_verified"),
    }
    if body.get("email") is not None or body.get("phone_number") is not None:
        changes["identifier"] = _identifier(connection, body, required=False)
    return _json(management.update(current_tenant(), user_id, changes))


@bp.delete("/users/<path:user_id>")
def delete_user(user_id: str):
    """Delete a user and revoke what they were granted; 204 whether or not they existed."""
    _authorize("delete:users")
    # Auth0 answers 204 for an id that names no user too (the suite's reading of the docs,
    # which list no 404 for this endpoint).
    users.delete(current_tenant(), user_id)
    return Response(status=204)


def _identifier(connection: str, body: dict, *, required: bool) -> str:
    """Return the checked email address or phone number the body gives for a connection."""
    field, other = ("email", "phone_number") if connection == "email" else ("phone_number", "email")
    if body.get(other) is not None:
        # The suite's choice: a passwordless user has exactly one identifier.
        raise _payload_error(f"'{other} is not allowed for a user of the {connection} connection'.")
    value = body.get(field)
    if value is None:
        if required:
            raise _payload_error(f"'Missing required property: {field}'.")
        return ""
    try:
        return normalize(connection, value)
    except IdentifierError:
        if field == "email":
            raise _payload_error(
                f"'Object didn't pass validation for format email: {value[:100]}' "
                "on property email (The user's email)."
            ) from None
        raise _payload_error(
            f"'String does not match pattern ^\\+[0-9]{{1,15}}$: {value[:100]}' on property "
            "phone_number (The user's phone number (following the E.164 recommendation))."
        ) from None


def _body(allowed: set[str], *, nullable: bool = False) -> dict:
    """Read a JSON object body and check each field's name and type."""
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        raise ManagementError(400, "Invalid request payload JSON format", "invalid_body") from None
    if not isinstance(body, dict):
        raise _payload_error(f"'Expected type object but found type {_type(body)}'.")
    other = sorted(set(body) & OTHER_CONNECTIONS_FIELDS)
    if other:
        raise _payload_error(
            f"'{other[0]} is not supported for passwordless users on this tenant'."
        )
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _payload_error(f"'Additional properties not allowed: {','.join(unknown)}'.")
    for name, value in body.items():
        if value is None and nullable:
            continue
        expected = (
            "string" if name in STRING_FIELDS else "boolean" if name in BOOLEAN_FIELDS else "object"
        )
        if _type(value) != expected:
            raise _payload_error(
                f"'Expected type {expected} but found type {_type(value)}' on property {name}."
            )
        if expected == "string" and not 0 < len(value) <= 300:
            raise _payload_error(f"'String length must be 1 to 300' on property {name}.")
        if expected == "string" and not value.isprintable():
            raise _payload_error(f"'String is not printable text' on property {name}.")
    return body


def _type(value) -> str:
    """Name a JSON value's type as Auth0's validator does."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number" if isinstance(value, float) else "integer"
    return {str: "string", list: "array", dict: "object"}[type(value)]
