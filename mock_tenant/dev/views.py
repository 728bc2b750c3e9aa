"""Developer endpoints under /_dev: the outbox, the inspector, and a control API for tests.

Thin views: each reads its JSON body into a pydantic model (bad input is a 400 in Auth0's
error shape) and calls the core.
"""

from __future__ import annotations

import hmac
import json
from typing import Literal, TypeVar

from flask import Blueprint, Response, abort, render_template, request
from pydantic import BaseModel, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from ..core import control, outbox, timeline, users
from ..core.identifiers import IdentifierError, normalize
from ..web import ApiError, current_tenant, tenant_origins
from . import diagram, inspector

bp = Blueprint("dev", __name__, url_prefix="/_dev")

# How far the dev API may age stored state, in seconds (ten years, in all): times are
# SQLite 64-bit integers and become dates on pages, so keep them near real time.
MAX_CLOCK_SHIFT = 10 * 365 * 86400

Model = TypeVar("Model", bound=BaseModel)
SimpleValue = StrictStr | StrictInt | StrictFloat | StrictBool | None


class ClockChange(BaseModel):
    """`POST /_dev/api/clock`: stop or restart time, and/or age stored state by some seconds."""

    freeze: StrictBool | None = None
    advance: StrictInt | None = None


class NewUser(BaseModel):
    """`POST /_dev/api/users`: an email address or a phone number, plus profile claims."""

    email: StrictStr | None = None
    phone_number: StrictStr | None = None
    claims: dict[str, SimpleValue] = {}


class ClaimsChange(BaseModel):
    """`PATCH /_dev/api/users/{user_id}`: profile claims to merge into the user."""

    claims: dict[str, SimpleValue] = {}


class InjectedError(BaseModel):
    """`POST /_dev/api/errors`: the error the next answer of an endpoint becomes."""

    endpoint: Literal[control.INJECTABLE]
    status: StrictInt = 500
    error: StrictStr = "server_error"
    error_description: StrictStr = "Injected by the dev API."


def _json(body, status: int = 200) -> Response:
    """Return a JSON response."""
    return Response(json.dumps(body), status=status, mimetype="application/json")


@bp.before_request
def require_dev_token():
    """Ask for the dev token when the tenant is reachable from other machines."""
    expected = current_tenant().config.dev_token
    if expected is None:
        return None
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ").encode()
    if not hmac.compare_digest(presented, expected.encode()):
        raise ApiError(
            401, "unauthorized", "This dev endpoint needs the dev token printed at start."
        )
    return None


@bp.before_request
def refuse_cross_site_changes():
    """Refuse a state-changing dev request that a page on another origin could have sent.

    A web page the learner opens may post a form or a `text/plain` fetch to
    http://127.0.0.1:4000/_dev/api/... without asking the browser first (a "simple"
    request), and the change happens even though the page cannot read the answer. A JSON
    body needs a CORS preflight that the tenant never answers for /_dev, and a browser
    names the page's origin in `Origin`, so both together keep other sites out.
    https://fetch.spec.whatwg.org/#cors-safelisted-request-header (simple requests);
    https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
    """
    if request.method not in ("POST", "PATCH", "DELETE"):
        return None
    origin = request.headers.get("Origin")
    if origin is not None and origin not in tenant_origins(current_tenant().issuer):
        raise ApiError(403, "access_denied", "Dev API changes are refused from other origins.")
    # DELETE carries no body, and a browser sends it cross-site only after a preflight.
    if request.method != "DELETE" and request.mimetype != "application/json":
        raise ApiError(
            403,
            "access_denied",
            "Dev API changes need a JSON body (Content-Type: application/json).",
        )
    return None


@bp.get("/outbox")
def outbox_page():
    """Show every message sent, newest first (static/outbox.js keeps the list up to date)."""
    tenant, to = current_tenant(), _recipient()
    return render_template(
        "outbox.html",
        messages=outbox.messages(tenant.storage, to),
        to=to,
        clock_notice=clock_notice(tenant.clock.describe()),
    )


@bp.get("/inspector")
def inspector_page():
    """Show every login as a timeline of protocol exchanges (the data comes from the API)."""
    tenant = current_tenant()
    response = Response(
        render_template(
            "inspector.html",
            clients=tenant.config.clients,
            clock_notice=clock_notice(tenant.clock.describe()),
        )
    )
    # Mermaid draws each diagram as an SVG with its own <style> element and style attributes,
    # which `style-src 'self'` would block; scripts stay 'self' only, and only this page
    # (which shows no input from a third party) allows inline styles.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
        "form-action 'self' http: https:"
    )
    return response


@bp.get("/api/events")
def events():
    """List logins, newest first, each with its exchanges and its sequence diagram.

    `?client_id=` and `?user=` filter.
    """
    tenant, args = current_tenant(), request.args
    origins = tenant_origins(tenant.issuer)
    logins = timeline.timelines(tenant, args.get("client_id"), args.get("user"))
    for login in logins:
        login["events"] = [inspector.explained(event) for event in login["events"]]
        client = tenant.config.client(login["client_id"])
        login["diagram"] = diagram.sequence(
            login,
            tenant_origins=origins,
            app_type=client.app_type if client else None,
            app_name=client.name if client else None,
        )
    return _json(logins)


@bp.get("/api/outbox")
def outbox_list():
    """List sent messages, newest first, optionally only those to `?to=ADDRESS`."""
    return _json(outbox.messages(current_tenant().storage, _recipient()))


@bp.delete("/api/outbox")
def outbox_clear():
    """Delete sent messages (all, or those to `?to=ADDRESS`)."""
    return _json({"deleted": outbox.clear(current_tenant().storage, _recipient())})


@bp.post("/api/reset")
def reset():
    """Forget users, codes, tokens, throttles, messages and clock changes; keep the keys."""
    current_tenant().reset()
    return _json({"reset": True})


@bp.post("/api/clock")
def clock():
    """Age stored state: `{"advance": seconds}`; stop or restart time: `{"freeze": bool}`."""
    tenant, change = current_tenant(), _body(ClockChange)
    if change.advance is not None:
        if change.advance < 0:
            raise ApiError(
                400, "invalid_request", "advance ages stored state; it cannot make it younger"
            )
        if tenant.clock.describe()["aged"] + change.advance > MAX_CLOCK_SHIFT:
            raise ApiError(400, "invalid_request", "stored state may age at most ten years")
    if change.freeze is not None:
        tenant.clock.freeze(change.freeze)
    if change.advance:
        tenant.clock.advance(change.advance)
    return _json(tenant.clock.describe())


@bp.get("/api/clock")
def clock_read():
    """Show tenant time."""
    return _json(current_tenant().clock.describe())


@bp.get("/api/users")
def user_list():
    """List users."""
    return _json([_user_json(user) for user in users.all_users(current_tenant())])


@bp.post("/api/users")
def user_create():
    """Create a user: `{"email": ...}` or `{"phone_number": ...}`, plus optional claims."""
    new = _body(NewUser)
    connection = "email" if new.email is not None else "sms" if new.phone_number else None
    if connection is None:
        raise ApiError(400, "invalid_request", "give email or phone_number")
    try:
        identifier = normalize(connection, new.email if connection == "email" else new.phone_number)
        user = users.create(
            current_tenant(), connection=connection, identifier=identifier, claims=new.claims
        )
    except (IdentifierError, users.ClaimsError) as error:
        raise ApiError(400, "invalid_request", str(error)) from None
    return _json(_user_json(user), 201)


@bp.patch("/api/users/<path:user_id>")
def user_update(user_id: str):
    """Set profile claims on a user: `{"claims": {"given_name": "Ada"}}`."""
    try:
        user = users.update(current_tenant(), user_id, _body(ClaimsChange).claims)
    except users.ClaimsError as error:
        raise ApiError(400, "invalid_request", str(error)) from None
    return _json(_user_json(user or abort(404)))


@bp.delete("/api/users/<path:user_id>")
def user_delete(user_id: str):
    """Delete a user and revoke every grant they hold."""
    if not users.delete(current_tenant(), user_id):
        abort(404)
    return Response(status=204)


@bp.post("/api/keys/rotate")
def rotate_keys():
    """Start signing with a new key; the old one stays published."""
    return _json({"kid": current_tenant().keys.rotate()})


@bp.post("/api/errors")
def inject_error():
    """Make the next answer of an endpoint an error: `{"endpoint", "status", "error", ...}`."""
    injected = _body(InjectedError)
    if not 400 <= injected.status <= 599:
        raise ApiError(400, "invalid_request", "status must be an HTTP error status (400-599)")
    control.inject_error(
        current_tenant(),
        injected.endpoint,
        injected.status,
        injected.error,
        injected.error_description,
    )
    return _json({"endpoint": injected.endpoint, "status": injected.status}, 201)


def clock_notice(clock: dict) -> str | None:
    """Say how the tenant's clock differs from plain real time, or None when it does not.

    static/dev.js words the banner the same way when it updates it.
    """
    if clock["frozen"]:
        behind = -clock["offset"]
        return (
            f"The tenant clock is stopped, {behind} s behind real time: "
            "tokens it mints carry the stopped time."
        )
    if clock["aged"]:
        return (
            f"Stored codes, sessions, tokens and throttles were aged {clock['aged']} s "
            "with the dev clock; tokens still carry real time."
        )
    return None


def _recipient() -> str | None:
    """Return `?to=`, reading a phone number's raw `+` as the `+` the learner typed.

    In a query string `+` means a space (the HTML form encoding that Werkzeug decodes), so
    `?to=+15555550100`, as the README writes the number, arrives as " 15555550100". No email
    address or E.164 number starts with a space, so a leading space before digits can only
    be such a `+`. https://url.spec.whatwg.org/#urlencoded-parsing
    """
    to = request.args.get("to")
    if to and to.startswith(" ") and to[1:].isdigit():
        return "+" + to[1:]
    return to


def _body(model: type[Model]) -> Model:
    """Read the JSON body into a model; 400 with pydantic's reason when it does not fit."""
    try:
        data = json.loads(request.get_data() or b"{}")
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_request", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_request", "The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError(400, "invalid_request", f"{field}: {first['msg']}") from None


def _user_json(user: dict) -> dict:
    """Describe a user for the dev API."""
    return {
        "user_id": user["user_id"],
        "connection": user["connection"],
        "identifier": user["identifier"],
        "claims": json.loads(user["profile"]),
        "created_at": user["created_at"],
        "updated_at": user["updated_at"],
    }
