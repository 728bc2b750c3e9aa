"""The flow inspector: every protocol exchange, redacted, in one timeline per login.

It watches the wire from one `after_request` hook, so no protocol module knows about it.
Each exchange is tied to its login through the handles it carries: the Universal Login
transaction (`state` on the pages), the authorization code, the refresh and access tokens,
and the identifier a code was sent to. A handle seen in an answer (a code in a redirect, a
token in a body) is remembered, so the next request that presents it joins the same login.

What is stored: parameters with secrets replaced by "[hidden]" (client secrets, one-time
codes, authorization codes, PKCE verifiers, CSRF tokens); refresh and opaque tokens as a
short fingerprint, enough to see rotation; JWTs decoded (header, payload, signature check)
but never the signature itself, so nothing stored can be replayed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
import urllib.parse

import jwt
from flask import Flask, g, request

from . import explain
from ..web import current_tenant

log = logging.getLogger("mock_tenant.inspector")

WATCHED = (
    "/authorize",
    "/u/login/",
    "/passwordless/",
    "/oauth/token",
    "/oauth/revoke",
    "/userinfo",
    "/v2/logout",
    "/oidc/logout",
)
HIDDEN = {"client_secret", "otp", "code", "code_verifier", "verification_code", "csrf_token"}
FINGERPRINTED = {"refresh_token", "token", "access_token"}
# How many events the inspector keeps (older ones are pruned).
KEEP_EVENTS = 2000


def init_app(app: Flask) -> None:
    """Record the protocol exchanges of this app."""
    app.after_request(_after_request)


def fingerprint(value: str) -> str:
    """Return a short, non-reversible name for a token: enough to tell two apart."""
    return "…" + hashlib.sha256(value.encode()).hexdigest()[:8]


def note(text: str) -> None:
    """Let a view say what happened in words (e.g. "wrong code"), for this request's event."""
    g.inspector_note = text


def _after_request(response):
    """Record this exchange if it is a protocol one; never let the inspector break a login."""
    if request.method != "OPTIONS" and request.path.startswith(WATCHED):
        try:
            _record(response)
        except Exception:  # noqa: BLE001 (a recording failure must not fail the login)
            log.exception("The inspector could not record %s", request.path)
    return response


def _record(response) -> None:
    """Build the event, find (or start) its login, and store both."""
    tenant = current_tenant()
    params = _request_params(response)
    answer = _answer(response)
    asked = _handles_in_request(params)
    given = _handles_in_answer(answer)
    identifier = _identifier(params)
    event = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "kind": _kind(params, response),
        "note": g.get("inspector_note"),
        "params": {
            k: {"value": _redact(k, v), "explains": explain.PARAMETERS.get(k)}
            for k, v in params.items()
        },
        "answer": answer["shown"],
        "tokens": answer["tokens"],
    }
    with tenant.storage.transaction() as db:
        now = tenant.clock.now()
        # A /passwordless/start always begins a new login; later requests find it again.
        login_id = _find_login(db, asked if request.path != "/passwordless/start" else set())
        if login_id is None:
            login_id = secrets.token_urlsafe(9)
            db.execute(
                "INSERT INTO inspector_logins (login_id, client_id, started_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (login_id, params.get("client_id"), now, now),
            )
        if _sends_a_message(params):
            message = db.execute(
                "SELECT id FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
                (identifier or _transaction_identifier(db, params),),
            ).fetchone()
            if message:
                event["message_id"] = message["id"]
        user_id = next((t["payload"].get("sub") for t in answer["tokens"] if "payload" in t), None)
        db.execute(
            "UPDATE inspector_logins SET updated_at = ?, client_id = COALESCE(client_id, ?), "
            "identifier = COALESCE(?, identifier), user_id = COALESCE(?, user_id) "
            "WHERE login_id = ?",
            (now, params.get("client_id"), identifier, user_id, login_id),
        )
        for handle in given | asked:
            db.execute(
                "INSERT OR REPLACE INTO inspector_handles (handle, login_id) VALUES (?, ?)",
                (handle, login_id),
            )
        cursor = db.execute(
            "INSERT INTO inspector_events (login_id, at, data) VALUES (?, ?, ?)",
            (login_id, now, json.dumps(event)),
        )
        if cursor.lastrowid % 100 == 0:
            db.execute(
                "DELETE FROM inspector_events WHERE id <= ?", (cursor.lastrowid - KEEP_EVENTS,)
            )


def _request_params(response) -> dict:
    """Return the query and body parameters of this request (the body only if small)."""
    params = dict(request.args)
    if response.status_code == 413:
        return params
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            params.update(body)
    else:
        params.update(request.form)
    return params


def _sends_a_message(params: dict) -> bool:
    """Tell whether this request asked the tenant to send a code or link."""
    if request.method != "POST":
        return False
    return request.path in ("/passwordless/start", "/u/login/identifier") or (
        request.path.startswith("/u/login/") and params.get("action") == "resend"
    )


def _transaction_identifier(db, params: dict) -> str | None:
    """Return the identifier a Universal Login transaction sends to (for resends)."""
    row = db.execute(
        "SELECT identifier FROM login_transactions WHERE state = ?", (params.get("state"),)
    ).fetchone()
    return row["identifier"] if row else None


def _redact(name: str, value):
    """Hide secrets, fingerprint tokens, keep everything else as sent."""
    if name in HIDDEN and value:
        return "[hidden]"
    if name in FINGERPRINTED and isinstance(value, str):
        return fingerprint(value)
    if name == "id_token_hint" and isinstance(value, str):
        return "[an ID token]"
    return value


def _answer(response) -> dict:
    """Describe the answer: a redirect (redacted), or a JSON body with its tokens decoded."""
    shown, tokens = None, []
    location = response.headers.get("Location")
    if location:
        parts = urllib.parse.urlsplit(location)
        query = urllib.parse.parse_qsl(parts.query)
        shown = {
            "redirect": parts._replace(
                query=urllib.parse.urlencode([(k, _redact(k, v)) for k, v in query])
            ).geturl()
        }
        handles = {("code", v) for k, v in query if k == "code"}
        handles |= {("state", v) for k, v in query if k == "state" and parts.path.startswith("/u/")}
        return {"shown": shown, "tokens": tokens, "handles": handles}
    handles = set()
    if response.mimetype == "application/json" and not response.direct_passthrough:
        body = json.loads(response.get_data() or b"null")
        if isinstance(body, dict):
            shown = {}
            for key, value in body.items():
                if key in ("id_token", "access_token") and isinstance(value, str):
                    tokens.append(_decode(key, value))
                    handles.add(("token", value))
                    shown[key] = "[decoded below]" if value.count(".") == 2 else fingerprint(value)
                elif key == "refresh_token":
                    handles.add(("token", value))
                    shown[key] = fingerprint(value)
                else:
                    shown[key] = value
    return {"shown": shown, "tokens": tokens, "handles": handles}


def _decode(name: str, token: str) -> dict:
    """Decode a JWT for display and check its signature against the tenant's own keys."""
    if token.count(".") != 2:
        return {
            "name": name,
            "opaque": True,
            "fingerprint": fingerprint(token),
            "explains": "An opaque access token: it means nothing to read and is good "
            "only at /userinfo (there was no audience).",
        }
    # One verified decode per published key (usually one): PyJWT's parsing is the costly
    # part, so the token is not parsed again just to show it.
    checks = {"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False}
    for kid, key in _published_keys(current_tenant().keys.jwks_document()):
        try:
            decoded = jwt.decode_complete(token, key, algorithms=["RS256"], options=checks)
        except jwt.InvalidSignatureError:
            continue
        header, payload = decoded["header"], decoded["payload"]
        signature = f"valid: RS256 by key {kid} from /.well-known/jwks.json"
        break
    else:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
        signature = "invalid: no published key verifies it"
    return {
        "name": name,
        "header": header,
        "payload": payload,
        "signature": signature,
        "claims": {k: explain.CLAIMS.get(k) for k in payload},
    }


@functools.lru_cache(maxsize=4)
def _published_keys(jwks_document: bytes) -> list[tuple[str, object]]:
    """Parse the tenant's JWKS once per version of it: (kid, public key) pairs."""
    return [(key.key_id, key.key) for key in jwt.PyJWKSet.from_json(jwks_document.decode()).keys]


def _handles_in_request(params: dict) -> set:
    """Return the handles this request presents (transaction, code, token, identifier)."""
    handles = set()
    if request.path.startswith(("/u/login/", "/authorize/resume", "/passwordless/verify")):
        if params.get("state"):
            handles.add(("state", params["state"]))
    for name in ("code", "refresh_token", "token"):
        if request.path.startswith("/oauth/") and isinstance(params.get(name), str):
            handles.add(("code" if name == "code" else "token", params[name]))
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if request.path == "/userinfo" and scheme.lower() == "bearer":
        handles.add(("token", bearer.strip()))
    if request.path in ("/passwordless/start", "/oauth/token") and _identifier(params):
        handles.add(("identifier", _identifier(params)))
    return {_handle(kind, value) for kind, value in handles}


def _handles_in_answer(answer: dict) -> set:
    """Return the handles this answer hands out, so later requests can be tied to this login."""
    return {_handle(kind, value) for kind, value in answer["handles"]}


def _handle(kind: str, value: str) -> str:
    """Store a handle as a hash: the inspector's own tables hold no usable secret."""
    return kind + ":" + hashlib.sha256(value.encode()).hexdigest()


def _find_login(db, handles: set) -> str | None:
    """Return the login any of these handles already belongs to."""
    for handle in handles:
        row = db.execute(
            "SELECT login_id FROM inspector_handles WHERE handle = ?", (handle,)
        ).fetchone()
        if row:
            return row["login_id"]
    return None


def _identifier(params: dict) -> str | None:
    """Return the email or phone number a request is about, lower-cased, if any."""
    value = params.get("email") or params.get("phone_number") or params.get("username")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _kind(params: dict, response) -> str:
    """Name the step in words a learner recognises."""
    path = request.path
    grant = params.get("grant_type", "")
    if path == "/oauth/token":
        name = {"authorization_code": "Code exchange", "refresh_token": "Refresh"}.get(
            grant, "OTP grant" if grant.endswith("passwordless/otp") else "Token request"
        )
        return name
    names = {
        "/authorize": "Authorization request",
        "/authorize/resume": "Resume: code issued to the app",
        "/u/login/identifier": "Identifier page",
        "/u/login/passwordless-email-challenge": "Code page (email)",
        "/u/login/passwordless-sms-challenge": "Code page (SMS)",
        "/passwordless/start": "Passwordless start: code or link sent",
        "/passwordless/verify_redirect": "Magic link opened",
        "/oauth/revoke": "Revoke",
        "/userinfo": "User info",
        "/v2/logout": "Logout",
        "/oidc/logout": "Logout (OIDC)",
    }
    return names.get(path, path)


def timelines(
    storage, client_id: str | None = None, user: str | None = None, limit: int = 50
) -> list[dict]:
    """Return the newest logins with their events, optionally for one client or user."""
    where, args = [], []
    if client_id:
        where.append("client_id = ?")
        args.append(client_id)
    if user:
        where.append("(identifier = ? OR user_id = ?)")
        args += [user.strip().lower(), user.strip()]
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    logins = storage.query(
        f"SELECT * FROM inspector_logins {clause} "  # noqa: S608 (fixed text, bound values)
        "ORDER BY updated_at DESC, rowid DESC LIMIT ?",
        (*args, limit),
    )
    out = []
    for login in logins:
        events = storage.query(
            "SELECT id, at, data FROM inspector_events WHERE login_id = ? ORDER BY id",
            (login["login_id"],),
        )
        out.append(
            {
                **dict(login),
                "events": [{"id": e["id"], "at": e["at"], **json.loads(e["data"])} for e in events],
            }
        )
    return [login for login in out if login["events"]]
