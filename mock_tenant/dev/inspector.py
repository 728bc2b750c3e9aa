"""The flow inspector: every protocol exchange, redacted, in one timeline per login.

It watches the wire from one `after_request` hook and listens to the core's signals
(`core/events.py`) for what happened inside an exchange ("code check: wrong", "rotated"), so
no protocol module knows about it; `core/timeline.py` stores what it records.
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
import urllib.parse

import jwt
from flask import Flask, current_app, g, has_request_context, request

from ..core import events, timeline
from ..core.minting import fingerprint
from ..web import current_tenant
from . import explain

log = logging.getLogger("mock_tenant.inspector")

WATCHED = (
    "/authorize",
    "/u/login/",
    "/u/consent",
    # The Classic experience: its page, and Lock's application settings.
    "/login",
    "/client/",
    "/passwordless/",
    "/oauth/token",
    "/oauth/revoke",
    "/userinfo",
    "/v2/logout",
    "/oidc/logout",
)
HIDDEN = {"client_secret", "otp", "code", "code_verifier", "verification_code", "csrf_token"}
FINGERPRINTED = {"refresh_token", "token", "access_token"}


def init_app(app: Flask) -> None:
    """Record the protocol exchanges of this app."""
    app.extensions["mock_tenant.inspector"] = True
    app.after_request(_after_request)


def _note(text: str) -> None:
    """Say what happened in words (e.g. "wrong code") for this request's event."""
    if has_request_context() and current_app.extensions.get("mock_tenant.inspector"):
        g.inspector_note = text


# What the core announces, in the words the inspector shows. Connected once, at import:
# blinker signals are global, and each receiver checks that its app records.
@events.code_checked.connect
def _code_checked(sender, outcome, **_):
    """Note the outcome of a code check."""
    _note(f"Code check: {outcome.value.replace('_', ' ')}")


@events.authorization_code_reused.connect
def _authorization_code_reused(sender, **_):
    """Note that an authorization code came back."""
    _note("Code used twice: the tokens of its first use are revoked")


@events.refresh_reuse_detected.connect
def _refresh_reuse_detected(sender, **_):
    """Note that a rotated refresh token came back."""
    _note("Reuse detected: a rotated token came back, the family is revoked")


@events.refresh_rotated.connect
def _refresh_rotated(sender, old, new, **_):
    """Note a rotation with both tokens' fingerprints."""
    _note(f"Rotated: {old} → {new}")


@events.rule_applied.connect
def _rule_applied(sender, rule, on, **_):
    """Remember that a profile rule decided this exchange, to say how the other would answer."""
    if has_request_context() and current_app.extensions.get("mock_tenant.inspector"):
        notes = g.setdefault("inspector_profile_notes", [])
        note = explain.profile_note(rule, on)
        if note not in notes:
            notes.append(note)


@events.code_sent.connect
def _code_sent(sender, message_id, **_):
    """Remember which outbox message this exchange sent, to link it from the timeline."""
    if has_request_context():
        g.inspector_message_id = message_id


def _after_request(response):
    """Record this exchange if it is a protocol one; never let the inspector break a login."""
    if request.method != "OPTIONS" and request.path.startswith(WATCHED):
        try:
            _record(response)
        except Exception:  # noqa: BLE001 (a recording failure must not fail the login)
            log.exception("The inspector could not record %s", request.path)
    return response


def _record(response) -> None:
    """Build the event and hand it to the timeline with the handles it carries."""
    params = _request_params(response)
    answer = _answer(response)
    event = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "kind": _kind(params, response),
        "note": g.get("inspector_note"),
        # Set when the other profile (auth0 or hardened) would have answered differently.
        "profile_note": " ".join(g.get("inspector_profile_notes", [])) or None,
        "params": {
            k: {"value": _redact(k, v), "explains": explain.PARAMETERS.get(k)}
            for k, v in params.items()
        },
        "answer": answer["shown"],
        "tokens": answer["tokens"],
    }
    if "inspector_message_id" in g:
        event["message_id"] = g.inspector_message_id
    timeline.record(
        current_tenant(),
        event,
        presented=_handles_in_request(params),
        handed_out=_handles_in_answer(answer),
        # A /passwordless/start always begins a new login; later requests find it again.
        # One from a Classic page belongs to that page's login (its `state`).
        new_login=request.path == "/passwordless/start" and not _page_state(params),
        client_id=params.get("client_id"),
        identifier=_identifier(params),
        user_id=next((t["payload"].get("sub") for t in answer["tokens"] if "payload" in t), None),
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
        handles |= {
            ("state", v)
            for k, v in query
            if k == "state" and (parts.path.startswith("/u/") or parts.path == "/login")
        }
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
    if request.path.startswith(
        ("/u/login/", "/u/consent", "/authorize/resume", "/passwordless/verify", "/login")
    ):
        if isinstance(params.get("state"), str) and params["state"]:
            handles.add(("state", params["state"]))
    if _page_state(params):
        handles.add(("state", _page_state(params)))
    for name in ("code", "refresh_token", "token"):
        if request.path.startswith("/oauth/") and isinstance(params.get(name), str):
            handles.add(("code" if name == "code" else "token", params[name]))
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if request.path == "/userinfo" and scheme.lower() == "bearer":
        handles.add(("token", bearer.strip()))
    if request.path in (
        "/passwordless/start",
        "/passwordless/verify",
        "/oauth/token",
    ) and _identifier(params):
        handles.add(("identifier", _identifier(params)))
    return {_handle(kind, value) for kind, value in handles}


def _handles_in_answer(answer: dict) -> set:
    """Return the handles this answer hands out, so later requests can be tied to this login."""
    return {_handle(kind, value) for kind, value in answer["handles"]}


def _handle(kind: str, value: str) -> str:
    """Store a handle as a hash: the inspector's own tables hold no usable secret."""
    return kind + ":" + hashlib.sha256(value.encode()).hexdigest()


def _page_state(params: dict) -> str | None:
    """Return the Classic page's login `state` a /passwordless/start carries, if any."""
    auth_params = params.get("authParams") if request.path == "/passwordless/start" else None
    state = auth_params.get("state") if isinstance(auth_params, dict) else None
    return state if isinstance(state, str) and state else None


def _identifier(params: dict) -> str | None:
    """Return the email or phone number a request is about, lower-cased, if any."""
    value = params.get("email") or params.get("phone_number") or params.get("username")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _kind(params: dict, response) -> str:
    """Name the step in words a learner recognises."""
    path = request.path
    grant = params.get("grant_type", "")
    # A view may name its step more precisely (a Classic page's verify_redirect).
    if g.get("inspector_kind"):
        return g.inspector_kind
    if path == "/oauth/token":
        name = {"authorization_code": "Code exchange", "refresh_token": "Refresh"}.get(
            grant, "OTP grant" if grant.endswith("passwordless/otp") else "Token request"
        )
        return name
    names = {
        "/authorize": "Authorization request",
        "/authorize/resume": "Resume: code issued to the app",
        "/u/consent": "Consent page",
        "/u/login/identifier": "Identifier page",
        "/u/login/passwordless-email-challenge": "Code page (email)",
        "/u/login/passwordless-sms-challenge": "Code page (SMS)",
        "/passwordless/start": "Passwordless start: code or link sent",
        "/passwordless/verify_redirect": "Magic link opened",
        "/passwordless/verify": "Classic page: code checked",
        "/passwordless/challenge": "Classic page: captcha needed?",
        "/login": "Classic login page",
        "/oauth/revoke": "Revoke",
        "/userinfo": "User info",
        "/v2/logout": "Logout",
        "/oidc/logout": "Logout (OIDC)",
    }
    if path.startswith("/client/"):
        return "Lock: the app's settings (/client/{client_id}.js)"
    return names.get(path, path)
