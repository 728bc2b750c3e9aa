"""Developer endpoints under /_dev: the outbox, and a control API for tests and learners."""

from __future__ import annotations

import hmac
import json
import time

from flask import Blueprint, Response, abort, render_template, request

from ..core import outbox, users
from ..core.identifiers import IdentifierError, normalize
from ..web import ApiError, current_tenant
from . import inspector

bp = Blueprint("dev", __name__, url_prefix="/_dev")

# Endpoints whose next answer the control API can replace with an error.
INJECTABLE = (
    "/passwordless/start",
    "/oauth/token",
    "/oauth/revoke",
    "/userinfo",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
)
# How far the dev API may move tenant time from real time, in seconds (ten years).
MAX_CLOCK_SHIFT = 10 * 365 * 86400


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


@bp.get("/outbox")
def outbox_page():
    """Show every message sent, newest first, as a page that refreshes itself."""
    return render_template("outbox.html", messages=outbox.messages(current_tenant().storage))


@bp.get("/inspector")
def inspector_page():
    """Show every login as a timeline of protocol exchanges (the data comes from the API)."""
    tenant = current_tenant()
    return render_template("inspector.html", clients=tenant.config.clients)


@bp.get("/api/events")
def events():
    """List logins, newest first, each with its exchanges: `?client_id=` and `?user=` filter."""
    return _json(
        inspector.timelines(
            current_tenant().storage, request.args.get("client_id"), request.args.get("user")
        )
    )


@bp.get("/api/outbox")
def outbox_list():
    """List sent messages, newest first, optionally only those to `?to=ADDRESS`."""
    return _json(outbox.messages(current_tenant().storage, request.args.get("to")))


@bp.delete("/api/outbox")
def outbox_clear():
    """Delete sent messages (all, or those to `?to=ADDRESS`)."""
    return _json({"deleted": outbox.clear(current_tenant().storage, request.args.get("to"))})


@bp.post("/api/reset")
def reset():
    """Forget users, codes, tokens, throttles, messages and clock changes; keep the keys."""
    tenant = current_tenant()
    tenant.storage.reset()
    seed_users(tenant)
    return _json({"reset": True})


@bp.post("/api/clock")
def clock():
    """Move tenant time: `{"advance": seconds}` and/or `{"freeze": true|false}`."""
    tenant, body = current_tenant(), _body()
    if "freeze" in body:
        if not isinstance(body["freeze"], bool):
            raise ApiError(400, "invalid_request", "freeze must be true or false")
        tenant.clock.freeze(body["freeze"])
    if "advance" in body:
        if not isinstance(body["advance"], int) or isinstance(body["advance"], bool):
            raise ApiError(400, "invalid_request", "advance must be a whole number of seconds")
        # Times are SQLite 64-bit integers and become dates on pages: a clock moved centuries
        # (or before 1970) made every later request fail with 500, so keep it near real time.
        if abs(tenant.clock.now() + body["advance"] - time.time()) > MAX_CLOCK_SHIFT:
            raise ApiError(
                400, "invalid_request", "the clock may move at most ten years from real time"
            )
        tenant.clock.advance(body["advance"])
    return _json(tenant.clock.describe())


@bp.get("/api/clock")
def clock_read():
    """Show tenant time."""
    return _json(current_tenant().clock.describe())


@bp.get("/api/users")
def user_list():
    """List users."""
    rows = current_tenant().storage.query("SELECT * FROM users ORDER BY created_at, user_id")
    return _json([_user_json(dict(row)) for row in rows])


@bp.post("/api/users")
def user_create():
    """Create a user: `{"email": ...}` or `{"phone_number": ...}`, plus optional claims."""
    tenant, body = current_tenant(), _body()
    connection = "email" if "email" in body else "sms" if "phone_number" in body else None
    if connection is None:
        raise ApiError(400, "invalid_request", "give email or phone_number")
    try:
        identifier = normalize(
            connection, str(body["email" if connection == "email" else "phone_number"])
        )
    except IdentifierError as error:
        raise ApiError(400, "invalid_request", str(error)) from None
    with tenant.storage.transaction() as db:
        user = users.find_or_create(
            db,
            secret=tenant.secret,
            connection=connection,
            identifier=identifier,
            now=tenant.clock.now(),
        )
        user = _set_claims(db, user, body.get("claims", {}), tenant.clock.now())
    return _json(_user_json(user), 201)


@bp.patch("/api/users/<path:user_id>")
def user_update(user_id: str):
    """Set profile claims on a user: `{"claims": {"given_name": "Ada"}}`."""
    tenant, body = current_tenant(), _body()
    with tenant.storage.transaction() as db:
        user = users.get(db, user_id) or abort(404)
        user = _set_claims(db, user, body.get("claims", {}), tenant.clock.now())
    return _json(_user_json(user))


@bp.delete("/api/users/<path:user_id>")
def user_delete(user_id: str):
    """Delete a user and revoke every grant they hold."""
    tenant = current_tenant()
    with tenant.storage.transaction() as db:
        db.execute(
            "UPDATE grants SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            (tenant.clock.now(), user_id),
        )
        if not db.execute("DELETE FROM users WHERE user_id = ?", (user_id,)).rowcount:
            abort(404)
    return Response(status=204)


@bp.post("/api/keys/rotate")
def rotate_keys():
    """Start signing with a new key; the old one stays published."""
    return _json({"kid": current_tenant().keys.rotate()})


@bp.post("/api/errors")
def inject_error():
    """Make the next answer of an endpoint an error: `{"endpoint", "status", "error", ...}`."""
    body = _body()
    endpoint, status = body.get("endpoint"), body.get("status", 500)
    if endpoint not in INJECTABLE:
        raise ApiError(400, "invalid_request", f"endpoint must be one of {', '.join(INJECTABLE)}")
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise ApiError(400, "invalid_request", "status must be an HTTP error status (400-599)")
    with current_tenant().storage.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO injected_errors VALUES (?, ?, ?, ?)",
            (
                endpoint,
                status,
                str(body.get("error", "server_error")),
                str(body.get("error_description", "Injected by the dev API.")),
            ),
        )
    return _json({"endpoint": endpoint, "status": status}, 201)


def take_injected_error(tenant, path: str):
    """Return and forget the error injected for this path, if any (one use)."""
    # Read first: almost every request finds nothing, and a read takes no write lock (WAL),
    # so ordinary requests neither queue behind writers nor fail while the file is busy.
    sql = "SELECT 1 FROM injected_errors WHERE endpoint = ?"
    if tenant.storage.query_one(sql, (path,)) is None:
        return None
    with tenant.storage.transaction() as db:
        row = db.execute("SELECT * FROM injected_errors WHERE endpoint = ?", (path,)).fetchone()
        if row is not None:
            db.execute("DELETE FROM injected_errors WHERE endpoint = ?", (path,))
    return row


def seed_users(tenant) -> None:
    """Create the config file's users if they do not exist yet."""
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        for seed in tenant.config.users:
            connection = "email" if seed.email else "sms"
            identifier = normalize(connection, seed.email or seed.phone_number)
            user = users.find_or_create(
                db, secret=tenant.secret, connection=connection, identifier=identifier, now=now
            )
            claims = {k: v for k in ("given_name", "family_name") if (v := getattr(seed, k))}
            _set_claims(db, user, claims, now)


def _set_claims(db, user: dict, claims, now: int) -> dict:
    """Merge profile claims into a user, refusing claims the tenant sets itself."""
    if not isinstance(claims, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float | bool | None)
        for k, v in claims.items()
    ):
        raise ApiError(400, "invalid_request", "claims must be an object of simple values")
    reserved = sorted(set(claims) & users.RESERVED_CLAIMS)
    if reserved:
        raise ApiError(400, "invalid_request", f"reserved claims: {', '.join(reserved)}")
    if claims:
        profile = {**json.loads(user["profile"]), **claims}
        db.execute(
            "UPDATE users SET profile = ?, updated_at = ? WHERE user_id = ?",
            (json.dumps(profile), now, user["user_id"]),
        )
        user = users.get(db, user["user_id"])
    return user


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


def _body() -> dict:
    """Read a JSON body for the control API (any JSON types allowed)."""
    try:
        body = json.loads(request.get_data() or b"{}")
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_request", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "The request body must be a JSON object.")
    return body
