"""Draw one login as a Mermaid sequence diagram, from the exchanges the inspector recorded.

The participants are the ones the chapters draw (docs/02-web-app-universal-login.md,
docs/04-native-otp-grant.md, docs/06-single-page-app.md): the Browser, the App, the Tenant,
the Outbox and, when a token was issued for one, the API. The tenant sees only what is sent
to it, so two steps are drawn from what it answered rather than from what it saw: the
browser following a redirect to the app, and a note that the app may now call the API.

Everything in a label comes from redacted recorded exchanges, and every character that
Mermaid could read as syntax is written as an entity code (https://mermaid.js.org/syntax/sequenceDiagram.html#entity-codes-to-escape-characters),
so an email address or a parameter cannot end a line, start a statement or a comment.
"""

from __future__ import annotations

import re
import urllib.parse

# Requests a browser makes by navigating (or submitting a form) to the tenant; every other
# watched endpoint is an API that an app calls, or the tenant's own page calls (Classic login).
BROWSER_PATHS = ("/authorize", "/u/", "/passwordless/verify_redirect", "/v2/logout", "/oidc/logout")

# What the chapters call each kind of application (Auth0's `app_type`). A single-page app
# is named by its own configured name when it has one: an auth0-spa-js app and an embedded
# login page with auth0.js are both "spa" (the page in the browser is the app).
APP_NAMES = {
    "regular_web": "Web app",
    "spa": "SPA",
    "native": "Terminal app",
    "non_interactive": "Machine client",
}

# Request parameters worth reading on an arrow, in this order; values are already redacted.
SHOWN_PARAMS = ("grant_type", "connection", "send", "email", "phone_number", "username", "prompt")

# Characters a label keeps as they are; anything else becomes an entity code such as #59;.
SAFE = re.compile(r"[A-Za-z0-9 .,@/_+?=()'\[\]*-]")
LONGEST_VALUE = 60


def sequence(
    login: dict,
    *,
    tenant_origins: set[str],
    app_type: str | None = None,
    app_name: str | None = None,
) -> str:
    """Return the `sequenceDiagram` text for one login's recorded exchanges.

    Args:
        login: a login as `core/timeline.py: timelines` returns it, with its events.
        tenant_origins: the tenant's own origins (`web.py: tenant_origins`), to tell a
            redirect inside the tenant from one out to the app.
        app_type: the client's `app_type`, to name the app as the chapters do.
        app_name: the client's configured name, the label of a single-page app.
    """
    lines: list[str] = []
    for event in login["events"]:
        lines += _exchange(event, tenant_origins)
    audience = _api_audience(login["events"])
    if audience:
        # Two lines (Mermaid's <br/>, outside any label): a note is as wide as its text.
        lines.append(
            f"Note over API: {_label('access token for ' + audience)}"
            f"<br/>{_label('(its calls here: not seen by the tenant)')}"
        )
    # Who takes part is read from the arrows and notes, never from their labels.
    used = {name for line in lines for name in re.findall(r"\w+", line.split(":", 1)[0])}
    participants = [
        ("Browser", "Browser"),
        ("App", _app_label(app_type, app_name)),
        ("Tenant", "Tenant"),
        ("Outbox", "Outbox"),
        ("API", "API"),
    ]
    head = ["sequenceDiagram"]
    head += [
        f"    participant {alias} as {_label(name)}"
        for alias, name in participants
        if alias in used
    ]
    return "\n".join(head + ["    " + line for line in lines]) + "\n"


def _app_label(app_type: str | None, app_name: str | None) -> str:
    """Name the app: a single-page app by its configured name, others as the chapters do."""
    if app_type == "spa" and app_name:
        return app_name
    return APP_NAMES.get(app_type or "", "App")


def _exchange(event: dict, tenant_origins: set[str]) -> list[str]:
    """Return the arrows and notes of one exchange: request, what happened, answer."""
    sender = _sender(event, tenant_origins)
    lines = [f"{sender}->>Tenant: {_label(_request_text(event))}"]
    if event.get("message_id") is not None:
        lines.append(f"Tenant->>Outbox: {_label('message ' + str(event['message_id']))}")
    if event.get("note"):
        lines.append(f"Note over Tenant: {_label(event['note'])}")
    redirect = (event.get("answer") or {}).get("redirect")
    target = urllib.parse.urlsplit(redirect) if isinstance(redirect, str) else None
    leaves = target is not None and bool(target.netloc) and _origin(target) not in tenant_origins
    if leaves and event["path"] == "/authorize" and _login_ticket(event):
        # An embedded login: the app's page checked the code at /co/authenticate.
        checked = "login ticket and its verifier checked: no login page"
        lines.append(f"Note over Tenant: {_label(checked)}")
    elif leaves and event["path"] == "/authorize" and "code" in _names(target.query):
        lines.append(f"Note over Tenant: {_label('SSO session still open: no login page')}")
    lines.append(f"Tenant-->>{sender}: {_label(_answer_text(event, target, leaves))}")
    if leaves and sender == "Browser":
        follows = f"GET {target.path or '/'}{_with(target.query)} (follows the redirect)"
        lines.append(f"Browser->>App: {_label(follows)}")
    return lines


def _sender(event: dict, tenant_origins: set[str]) -> str:
    """Say who sent a request: the browser navigating, or an app calling an API."""
    if event["path"].startswith(BROWSER_PATHS) or event.get("origin") in tenant_origins:
        return "Browser"
    return "App"


def _login_ticket(event: dict) -> bool:
    """Tell whether a request presented a login ticket (the second half of an embedded login)."""
    return bool(((event.get("params") or {}).get("login_ticket") or {}).get("value"))


def _request_text(event: dict) -> str:
    """Describe a request: method, path and the few parameters a reader looks for."""
    params = event.get("params") or {}
    shown = []
    for name in SHOWN_PARAMS:
        value = (params.get(name) or {}).get("value")
        if isinstance(value, str) and value:
            if name == "grant_type":
                value = value.rsplit("/", 1)[-1]
            shown.append(f"{name}={_shorten(value)}")
    if _login_ticket(event):
        shown.append("login_ticket")
    return f"{event['method']} {event['path']}" + (f" ({', '.join(shown)})" if shown else "")


def _answer_text(event: dict, target, leaves: bool) -> str:
    """Describe an answer: a redirect and where to, the tokens issued, or an error."""
    status, answer = event["status"], event.get("answer") or {}
    if target is not None:
        where = f"{target.netloc}{target.path}" if leaves else target.path
        # Tokens come back in the fragment when the app asked for them (implicit).
        return f"{status} to {where}{_with(target.query)}{_with(target.fragment, '#')}"
    issued = [
        name
        for key, name in (
            ("id_token", "ID token"),
            ("access_token", "access token"),
            ("refresh_token", "refresh token"),
        )
        if key in answer
    ]
    if issued:
        return f"{status} with " + ", ".join(issued)
    if "login_ticket" in answer:
        # /co/authenticate: the verifier also goes into a cookie for /authorize to read.
        return f"{status} with login_ticket, co_verifier, co_id (and a verifier cookie)"
    if isinstance(answer.get("error"), str):
        return f"{status} {_shorten(answer['error'])}"
    return f"{status} {event.get('kind') or ''}".rstrip()


def _api_audience(events: list[dict]) -> str | None:
    """Return the API a JWT access token of this login was issued for, if any."""
    for event in events:
        for token in event.get("tokens") or []:
            if token.get("name") != "access_token" or "payload" not in token:
                continue
            audiences = token["payload"].get("aud")
            audiences = [audiences] if isinstance(audiences, str) else audiences or []
            for audience in audiences:
                if isinstance(audience, str) and not audience.endswith("/userinfo"):
                    return _shorten(audience)
    return None


def _with(query: str, prefix: str = "") -> str:
    """Name the parameters of a redirect's query or fragment (never their values)."""
    names = _names(query)
    return f" with {prefix}{', '.join(names)}" if names else ""


def _names(query: str) -> list[str]:
    """Return the parameter names of a query string, each once, in order."""
    return list(dict.fromkeys(name for name, _ in urllib.parse.parse_qsl(query)))


def _origin(url) -> str:
    """Return the origin of a split URL."""
    return f"{url.scheme}://{url.netloc}"


def _shorten(value: str) -> str:
    """Cut a long value so that one arrow stays readable."""
    return value if len(value) <= LONGEST_VALUE else value[: LONGEST_VALUE - 1] + "…"


def _label(text: str) -> str:
    """Write text so that Mermaid shows it as it is and reads no syntax in it."""
    return "".join(c if SAFE.fullmatch(c) else f"#{ord(c)};" for c in str(text))
