"""The flow inspector: every protocol exchange, redacted, in one timeline per login.

It watches the wire from one `after_request` hook and listens to the core's signals
(`core/events.py`) for what happened inside an exchange ("code check: wrong", "rotated"), so
no protocol module knows about it; `core/timeline.py` stores what it records.
Each exchange is tied to its login through the handles it carries: the Universal Login
transaction (`state` on the pages), the authorization code, the refresh and access tokens,
and the identifier a code was sent to. A handle seen in an answer (a code in a redirect, a
token in a body) is remembered, so the next request that presents it joins the same login.

What is stored: parameters with secrets replaced by "[hidden]" (client secrets, one-time
codes, authorization codes, PKCE verifiers, CSRF tokens, cross-origin verifiers); refresh and
opaque tokens and login tickets as a short fingerprint, enough to see rotation or a ticket
come back; JWTs decoded (header, payload, signature check) but never the signature itself,
so nothing stored can be replayed. Tokens in a redirect's fragment (the implicit answer of an
embedded login) are treated like tokens in a body. What each parameter and claim means
(`dev/explain.py`) is added when the events are read (`explained`), not stored in each one.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import urllib.parse

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask, current_app, g, has_request_context, request

from ..core import events, logins, timeline
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
    "/co/",
    "/oauth/token",
    "/oauth/revoke",
    "/userinfo",
    "/v2/logout",
    "/oidc/logout",
    "/api/v2/",
)
HIDDEN = {
    "client_secret",
    "otp",
    "code",
    "code_verifier",
    "verification_code",
    "csrf_token",
    "co_verifier",
}
# A login ticket is fingerprinted: enough to see /co/authenticate's ticket come back at
# /authorize, never enough to spend it.
FINGERPRINTED = {"refresh_token", "token", "access_token", "login_ticket"}


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
        # Who sent it, for the diagram: a page of the tenant itself (Classic login) or an app.
        "origin": request.headers.get("Origin"),
        "status": response.status_code,
        "kind": _kind(params, response),
        "note": g.get("inspector_note"),
        # Set when the other profile (auth0 or hardened) would have answered differently.
        "profile_note": " ".join(g.get("inspector_profile_notes", [])) or None,
        "params": {k: {"value": _redact(k, v)} for k, v in params.items()},
        "answer": answer["shown"],
        "tokens": answer["tokens"],
    }
    if "inspector_message_id" in g:
        event["message_id"] = g.inspector_message_id
    timeline.record(
        current_tenant(),
        event,
        presented=_handles_in_request(params),
        handed_out=_handles_in_answer(answer, response),
        # A /passwordless/start always begins a new login; later requests find it again.
        # One from a Classic page belongs to that page's login (its `state`).
        new_login=request.path == "/passwordless/start" and not _page_state(params),
        client_id=params.get("client_id"),
        # A login that reused the SSO session names nobody until its ID token: take its email.
        identifier=_identifier(params) or _email(answer["tokens"]),
        user_id=next((t["payload"].get("sub") for t in answer["tokens"] if "payload" in t), None),
    )


def explained(event: dict) -> dict:
    """Add to a stored event what each of its parameters and token claims means."""
    # Events recorded before the explanations moved here carry them already; the same
    # texts replace them.
    for name, param in event["params"].items():
        param["explains"] = explain.PARAMETERS.get(name)
    for token in event["tokens"]:
        if "payload" in token:
            token["claims"] = {k: explain.CLAIMS.get(k) for k in token["payload"]}
    return event


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
    location = response.headers.get("Location")
    if location:
        return _redirect_answer(location)
    shown, tokens, handles = None, [], set()
    if response.mimetype == "application/json" and not response.direct_passthrough:
        body = json.loads(response.get_data() or b"null")
        if isinstance(body, dict):
            shown = {}
            for key, value in body.items():
                shown[key] = _answer_value(key, value, tokens, handles)
    return {"shown": shown, "tokens": tokens, "handles": handles}


def _redirect_answer(location: str) -> dict:
    """Describe a redirect: its query and fragment redacted, the tokens in it decoded."""
    tokens, handles = [], set()
    parts = urllib.parse.urlsplit(location)
    query = urllib.parse.parse_qsl(parts.query)
    # The fragment carries tokens when the app asked for them at /authorize (implicit).
    fragment = urllib.parse.parse_qsl(parts.fragment)
    shown = {
        "redirect": parts._replace(
            query=urllib.parse.urlencode([(k, _redact(k, v)) for k, v in query]),
            fragment=urllib.parse.urlencode(
                [(k, _answer_value(k, v, tokens, handles)) for k, v in fragment]
            ),
        ).geturl()
    }
    handles |= {("code", v) for k, v in query if k == "code"}
    # A state sent to the tenant's own pages (New: /u/..., Classic: /login) names the login.
    handles |= {
        ("state", v)
        for k, v in query
        if k == "state" and (parts.path.startswith("/u/") or parts.path == "/login")
    }
    handles |= {("ticket", v) for k, v in query if k == "login_ticket"}
    return {"shown": shown, "tokens": tokens, "handles": handles}


def _answer_value(key: str, value, tokens: list, handles: set):
    """Show one answered value; decode a token into `tokens` and note the handles it gives."""
    if key in ("id_token", "access_token") and isinstance(value, str):
        tokens.append(_decode(key, value))
        handles.add(("token", value))
        return "[decoded below]" if value.count(".") == 2 else fingerprint(value)
    if key in ("refresh_token", "login_ticket") and isinstance(value, str):
        # A login ticket from /co/authenticate is presented again at /authorize.
        handles.add(("ticket" if key == "login_ticket" else "token", value))
        return fingerprint(value)
    return _redact(key, value)


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
    # Parsed here rather than by PyJWT: its decode checks every character of each segment
    # in Python, which cost more than the RS256 verification itself. What is shown is what
    # is on the wire, not the claims the minting code meant to sign.
    header_part, payload_part, _ = token.split(".")
    header, payload = json.loads(_b64(header_part)), json.loads(_b64(payload_part))
    return {
        "name": name,
        "header": header,
        "payload": payload,
        "signature": _signature(token, header),
    }


def _signature(token: str, header: dict) -> str:
    """Say whether a key of /.well-known/jwks.json verifies this JWT's RS256 signature."""
    keys = current_tenant().keys
    # A token this request signed carries the signature of the current key, which the JWKS
    # always publishes: checking it again would only repeat the signing. Any other token is
    # checked with the published key its `kid` names.
    kid = keys.signed_in_this_request(token)
    if kid is None:
        key = _published_keys(keys.jwks_document()).get(header.get("kid"))
        if key is None or header.get("alg") != "RS256":
            return "invalid: no published key verifies it"
        header_part, payload_part, signature_part = token.split(".")
        try:
            key.verify(
                _b64(signature_part),
                f"{header_part}.{payload_part}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return "invalid: no published key verifies it"
        kid = header["kid"]
    return f"valid: RS256 by key {kid} from /.well-known/jwks.json"


def _b64(segment: str) -> bytes:
    """Decode one base64url segment of a JWT (RFC 7515 section 2: no padding)."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@functools.lru_cache(maxsize=4)
def _published_keys(jwks_document: bytes) -> dict[str, object]:
    """Parse the tenant's JWKS once per version of it: public keys by kid."""
    return {key.key_id: key.key for key in jwt.PyJWKSet.from_json(jwks_document.decode()).keys}


def _handles_in_request(params: dict) -> set:
    """Return the handles this request presents (transaction, code, token, identifier)."""
    handles = set()
    if request.path.startswith(
        ("/u/login/", "/u/consent", "/authorize/resume", "/passwordless/verify", "/login")
    ):
        if isinstance(params.get("state"), str) and params["state"]:
            handles.add(("state", params["state"]))
    if page_state := _page_state(params):
        handles.add(("state", page_state))
    for name in ("code", "refresh_token", "token"):
        if request.path.startswith("/oauth/") and isinstance(params.get(name), str):
            handles.add(("code" if name == "code" else "token", params[name]))
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if request.path == "/userinfo" and scheme.lower() == "bearer":
        handles.add(("token", bearer.strip()))
    # A logout presents the SSO session it ends, so it joins the login that session belongs to.
    if request.path in ("/v2/logout", "/oidc/logout") and (
        session := request.cookies.get(logins.SESSION_COOKIE)
    ):
        handles.add(("session", session))
    # An embedded login's /authorize (and its /co/verify fallback) presents the ticket
    # that /co/authenticate handed out.
    if isinstance(params.get("login_ticket"), str):
        handles.add(("ticket", params["login_ticket"]))
    # The code checks name the person, and so join the login their /passwordless/start began.
    if request.path in (
        "/passwordless/start",
        "/passwordless/verify",
        "/oauth/token",
        "/co/authenticate",
    ) and (identifier := _identifier(params)):
        handles.add(("identifier", identifier))
    return {_handle(kind, value) for kind, value in handles}


def _handles_in_answer(answer: dict, response) -> set:
    """Return the handles this answer hands out, so later requests can be tied to this login."""
    handles = set(answer["handles"])
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if name.strip() == logins.SESSION_COOKIE and value:
            handles.add(("session", value))
    # A login that reused the SSO session (a code straight from /authorize) now owns it, so
    # the logout that ends the session is drawn under the latest login that used it.
    if (
        request.path == "/authorize"
        and any(k == "code" for k, _ in handles)
        and (session := request.cookies.get(logins.SESSION_COOKIE))
    ):
        handles.add(("session", session))
    return {_handle(kind, value) for kind, value in handles}


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


def _email(tokens: list[dict]) -> str | None:
    """Return the email claim of a decoded ID token, lower-cased, if any."""
    for token in tokens:
        email = token.get("payload", {}).get("email") if token["name"] == "id_token" else None
        if isinstance(email, str) and email:
            return email.lower()
    return None


def _kind(params: dict, response) -> str:
    """Name the step in words a learner recognises."""
    path = request.path
    grant = params.get("grant_type", "")
    # A view may name its step more precisely (a Classic page's verify_redirect).
    if g.get("inspector_kind"):
        return g.inspector_kind
    if path == "/oauth/token":
        name = {
            "authorization_code": "Code exchange",
            "refresh_token": "Refresh",
            "client_credentials": "Client credentials (machine to machine)",
        }.get(grant, "OTP grant" if grant.endswith("passwordless/otp") else "Token request")
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
        "/co/authenticate": "Cross-origin authentication: code checked, login ticket issued",
        "/passwordless/verify": "Classic page: code checked",
        "/passwordless/challenge": "Classic page: captcha needed?",
        "/login": "Classic login page",
        "/oauth/revoke": "Revoke",
        "/userinfo": "User info",
        "/v2/logout": "Logout",
        "/oidc/logout": "Logout (OIDC)",
    }
    if path.startswith("/api/v2/"):
        return f"Management API: {request.method} {path}"
    if path == "/authorize" and params.get("login_ticket"):
        return "Authorization request with a login ticket (embedded login)"
    if path == "/co/verify":
        return (
            "Cross-origin verification: verifier posted"
            if request.method == "POST"
            else "Cross-origin verification page: asks the app's page for the verifier"
        )
    if path.startswith("/client/"):
        return "Lock: the app's settings (/client/{client_id}.js)"
    return names.get(path, path)
