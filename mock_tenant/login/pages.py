"""Universal Login: `/authorize`, the identifier and code pages, magic links and resume.

The pages follow Auth0's New Universal Login: /authorize -> /u/login/identifier ->
/u/login/passwordless-email-challenge (or -sms-) -> /authorize/resume -> the app's callback.
Protocol rules live in `login/authorize.py` and the core (`core/logins.py` for each step of
a login, `core/passwordless.py` for codes); these views only move the browser between them.
"""

from __future__ import annotations

import hmac
import urllib.parse

from flask import Blueprint, g, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..api import passwordless
from ..api.cross_origin import VERIFIER_COOKIE
from ..core import classic, logins
from ..core.codes import Outcome
from ..core.identifiers import IdentifierError, normalize
from ..core.logins import AuthorizeRequest
from ..core.storage import StorageBusy
from ..web import ApiError, current_tenant
from . import answers, authorize, cross_origin, locales
from .authorize import PageError, RedirectError

bp = Blueprint("universal_login", __name__)

# The words for each outcome are in mock_tenant/locales/<language>.json.
CODE_ERRORS = {
    Outcome.WRONG: "code.wrong",
    Outcome.EXPIRED: "code.expired",
    Outcome.TOO_MANY_ATTEMPTS: "code.too_many_attempts",
    Outcome.LOCKED: "code.locked",
}
# Codes of any length a connection may set (`totp.length`): the stored hash decides the rest.
LINK_CODE_LENGTHS = range(4, 11)


@bp.context_processor
def _language() -> dict:
    """Give the pages their language (`lang`) and its words (`t`)."""
    language = g.get("language") or current_tenant().settings.enabled_locales[0]
    return {"lang": language, "t": locales.translator(language)}


@bp.route("/authorize", methods=["GET", "POST"])
def authorize_endpoint():
    """Validate the app's request, then sign the user in silently (SSO) or send them to a page."""
    # https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
    tenant = current_tenant()
    auth_request = authorize.validate(
        tenant, request.form if request.method == "POST" else request.args
    )
    g.redirect_uri = auth_request.redirect_uri
    # auth0.js sends a login ticket from /co/authenticate (embedded login, cross_origin.py).
    login_ticket = request.args.get("login_ticket") if request.method == "GET" else None
    if login_ticket:
        return cross_origin.login_with_ticket(
            auth_request, login_ticket, request.cookies.get(VERIFIER_COOKIE)
        )
    browser_key = request.cookies.get(logins.BROWSER_COOKIE) or logins.new_secret()
    decided = logins.authorize(
        tenant,
        auth_request,
        browser_key=browser_key,
        session_cookie=request.cookies.get(logins.SESSION_COOKIE),
    )
    if decided.response is not None:
        return answers.answer(auth_request, decided.response)
    if decided.consent_state:
        response = answers.redirect_after(url_for(".consent", state=decided.consent_state))
    elif tenant.config.prompts.universal_login_experience == "classic":
        # https://auth0.com/docs/authenticate/login/auth0-universal-login/universal-login-vs-classic-login/classic-experience
        transaction = logins.load(tenant, decided.state, browser_key)
        response = answers.redirect_after(classic.login_url(transaction))
    else:
        response = answers.redirect_after(url_for(".identifier", state=decided.state))
    answers.set_cookie(response, logins.BROWSER_COOKIE, browser_key)
    return response


@bp.route("/u/consent", methods=["GET", "POST"])
def consent():
    """Ask the signed-in user to let the app use an API on their behalf: Accept or Decline."""
    # https://auth0.com/docs/get-started/applications/third-party-applications/user-consent-and-third-party-applications
    tenant, transaction = current_tenant(), _transaction()
    if not transaction["user_id"]:
        return answers.redirect_after(url_for(".identifier", state=transaction["state"]))
    params = transaction["params"]
    if request.method == "GET":
        api = tenant.config.resource_server(params["audience"])
        descriptions = {s.value: s.description for s in api.scopes} if api else {}
        return render_template(
            "u_consent.html",
            transaction=transaction,
            client=tenant.config.client(transaction["client_id"]),
            api=api,
            scopes=[(s, descriptions.get(s) or s) for s in params["scope"].split()],
        )
    _check_csrf(transaction)
    answer = logins.decide_consent(
        tenant,
        transaction,
        request.cookies.get(logins.SESSION_COOKIE),
        accepted=request.form.get("action") == "accept",
    )
    if answer is None:
        raise PageError("Login not finished", "This login was already finished.")
    return answers.answer(AuthorizeRequest(**params), answer)


@bp.route("/u/login/identifier", methods=["GET", "POST"])
def identifier():
    """Ask for an email address or phone number, then send a code or a magic link."""
    tenant, transaction = current_tenant(), _transaction()
    params = transaction["params"]
    page = {
        "transaction": transaction,
        "client": tenant.config.client(transaction["client_id"]),
        "connection": params["connection"],
        "value": transaction["identifier"] or params["login_hint"] or "",
    }
    if request.method == "GET":
        # A login_hint only pre-fills the form: nothing is sent until the user posts it.
        return render_template("u_identifier.html", **page)

    _check_csrf(transaction)
    value = request.form.get("username", "").strip()
    page["value"] = value
    connection_name = params["connection"] or ("sms" if value.startswith("+") else "email")
    connection = tenant.config.connection(connection_name)
    try:
        identifier_value = normalize(connection.strategy, value)
    except IdentifierError as error:
        t = locales.translator(g.language)
        # A phone number gets an example, not Auth0's pattern (which the API keeps quoting).
        detail = "" if connection.strategy == "sms" else f" {error}"
        message = f"{t('identifier.invalid.' + connection.strategy)}{detail}"
        return render_template("u_identifier.html", error=message, **page), 400
    wants_link = connection.strategy == "email" and (
        request.form.get("send") == "link" or connection.send == "link"
    )
    send = "link" if wants_link else "code"
    same_as_before = (
        transaction["identifier"],
        transaction["connection"],
        transaction["send"],
    ) == (identifier_value, connection.name, send)
    try:
        _send(transaction, connection, identifier_value, send, resend=not same_as_before)
    except ApiError as error:
        return render_template("u_identifier.html", error=error.description, **page), 429
    return answers.redirect_after(_challenge_url(connection.strategy, transaction["state"]))


@bp.route(
    "/u/login/passwordless-email-challenge", methods=["GET", "POST"], endpoint="email_challenge"
)
@bp.route("/u/login/passwordless-sms-challenge", methods=["GET", "POST"], endpoint="sms_challenge")
def challenge():
    """Take the code that was sent (or wait for the link), with resend and go back."""
    tenant, transaction = current_tenant(), _transaction()
    if not transaction["identifier"]:
        return answers.redirect_after(url_for(".identifier", state=transaction["state"]))
    connection = tenant.config.connection(transaction["connection"])
    t = locales.translator(g.language)
    page = {
        "transaction": transaction,
        "client": tenant.config.client(transaction["client_id"]),
        "code_length": connection.totp.length,
        "resend_in": _resend_in(transaction),
        "notice": None,
        "error": None,
    }
    if request.method == "GET":
        return render_template("u_challenge.html", **page)

    _check_csrf(transaction)
    if request.form.get("action") == "resend":
        try:
            _send(
                transaction, connection, transaction["identifier"], transaction["send"], resend=True
            )
        except ApiError as error:
            page["error"] = error.description
            return render_template("u_challenge.html", **page), 429
        page.update(
            notice=t(
                "challenge.resent_link" if transaction["send"] == "link" else "challenge.resent"
            ),
            resend_in=_resend_in(transaction),
        )
        return render_template("u_challenge.html", **page)

    code = request.form.get("code", "").strip()
    if not (code.isascii() and code.isdigit() and len(code) == connection.totp.length):
        page["error"] = t("challenge.enter_code", length=connection.totp.length)
        return render_template("u_challenge.html", **page), 400
    outcome = logins.verify_code(tenant, transaction, code)
    if outcome is not Outcome.OK:
        page["error"] = t(CODE_ERRORS[outcome])
        return render_template("u_challenge.html", **page), 400
    return _signed_in(transaction)


LINK_ERRORS = {
    Outcome.WRONG: "This link is not valid, or a newer one was sent.",
    Outcome.EXPIRED: "This link has expired.",
    Outcome.TOO_MANY_ATTEMPTS: "This link was tried too many times.",
    Outcome.LOCKED: "Too many failed attempts. Wait a few minutes.",
}


@bp.get("/passwordless/verify_redirect")
def verify_redirect():
    """Finish a login from a magic link in the browser that asked, or ask to confirm one."""
    # docs/security.md rule 11: a mail scanner or another browser has no transaction cookie,
    # so it sees a page and consumes nothing.
    tenant = current_tenant()
    transaction = logins.load(
        tenant, request.args.get("state"), request.cookies.get(logins.BROWSER_COOKIE)
    )
    if transaction is not None and transaction["send"] == "code" and transaction["user_id"]:
        # A Classic page's code, checked by POST /passwordless/verify for this login:
        # auth0.js then comes here to finish it (src/web-auth/index.js: passwordlessVerify).
        g.inspector_kind = "Verify redirect: the Classic page's code goes on"
        return _signed_in(transaction)
    if transaction is None or transaction["send"] != "link":
        if _api_link(request.args):
            # A link asked for with /passwordless/start. Auth0 signs the person in at once:
            # the GET redirects to the app's callback with `code` and `state`
            # (https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints:
            # "Auth0 will redirect the user to the application after the link is clicked").
            # The hardened profile asks for a click (a POST) first, which mail scanners that
            # open every link do not do (docs/security.md rule 11).
            if not tenant.rule("confirm_magic_links"):
                return _finish_api_link(tenant, request.args)
            client = tenant.config.client(request.args.get("client_id"))
            return render_template("u_magic_link.html", client=client, params=request.args)
        if logins.finished(
            tenant, request.args.get("state"), request.cookies.get(logins.BROWSER_COOKIE)
        ):
            return render_template(
                "u_message.html",
                title="This link was already used",
                detail="You signed in with this link already: a sign-in link works once. "
                "Go back to the application.",
            ), 400
        return render_template(
            "u_message.html",
            title="Open the link where you started",
            detail="This sign-in link only works in the browser where you asked for it. "
            "Open it there, or go back to the application and start again.",
        ), 400
    code = request.args.get("verification_code", "")
    outcome = Outcome.WRONG
    if code.isascii() and code.isdigit() and len(code) in LINK_CODE_LENGTHS:
        outcome = logins.verify_code(tenant, transaction, code)
    if outcome is not Outcome.OK:
        return _link_failed(outcome)
    return _signed_in(transaction)


@bp.post("/passwordless/verify_redirect")
def verify_redirect_confirmed():
    """Finish a login from an API-started magic link once the person clicked Continue."""
    return _finish_api_link(current_tenant(), request.form)


def _finish_api_link(tenant, params):
    """Redeem a /passwordless/start magic link and send the app its authorization code."""
    # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
    # The link carries the app's authorization request (authParams): check it exactly as
    # /authorize would, before looking at the code.
    auth_request = authorize.validate(tenant, params)
    g.redirect_uri = auth_request.redirect_uri
    connection = tenant.config.connection(params.get("connection"))
    field = "email" if connection and connection.strategy == "email" else "phone_number"
    try:
        identifier_value = normalize(connection.strategy, params.get(field, ""))
    except (IdentifierError, AttributeError):
        return _link_failed(Outcome.WRONG)
    code = params.get("verification_code", "")
    outcome, answer = Outcome.WRONG, None
    if code.isascii() and code.isdigit() and len(code) in LINK_CODE_LENGTHS:
        outcome, answer = logins.finish_link(
            tenant,
            auth_request,
            connection=connection.name,
            identifier=identifier_value,
            code=code,
        )
    if outcome is not Outcome.OK:
        return _link_failed(outcome)
    return answers.answer(auth_request, answer)


def _api_link(params) -> bool:
    """Tell whether a link looks like one /passwordless/start sent (not a login page's)."""
    return (
        all(params.get(k) for k in ("client_id", "connection", "verification_code"))
        and bool(params.get("email") or params.get("phone_number"))
        and bool(params.get("redirect_uri"))
    )


def _link_failed(outcome: Outcome):
    """Explain why a magic link did not sign the person in."""
    return render_template(
        "u_message.html",
        title="This link no longer works",
        detail=LINK_ERRORS[outcome] + " Go back to the application to ask for a new one.",
    ), 400


@bp.get("/authorize/resume")
def resume():
    """Answer the app for a finished login, once, after the consent page if one is due."""
    tenant, transaction = current_tenant(), _transaction()
    finished = logins.resume(tenant, transaction, request.cookies.get(logins.SESSION_COOKIE))
    if finished is None:
        raise PageError("Login not finished", "Enter the code you were sent first.")
    if finished.needs_consent:
        return answers.redirect_after(url_for(".consent", state=transaction["state"]))
    return answers.answer(AuthorizeRequest(**transaction["params"]), finished.response)


def _send(transaction: dict, connection, identifier_value: str, send: str, resend: bool) -> None:
    """Send a code or link for this transaction, within the per-IP and per-identifier limits.

    Raises:
        ApiError: 429 when a limit says wait.
    """
    tenant = current_tenant()
    passwordless.rate_limit(tenant, request.remote_addr)
    client = tenant.config.client(transaction["client_id"])
    wait = logins.send_code(
        tenant,
        transaction,
        client,
        connection,
        identifier_value,
        send,
        resend=resend,
        language=g.language,
    )
    # The same identifier posted again during the cooldown goes on to the code page
    # with the code already sent; anything else must wait.
    if wait:
        raise ApiError(
            429,
            "too_many_requests",
            f"We just sent a message. You can ask for another in {wait} seconds.",
        )


def _signed_in(transaction: dict):
    """Open the SSO session for the verified user and continue to /authorize/resume."""
    cookie = logins.sign_in(
        current_tenant(), transaction["state"], request.cookies.get(logins.SESSION_COOKIE)
    )
    response = answers.redirect_after(url_for(".resume", state=transaction["state"]))
    answers.set_cookie(response, logins.SESSION_COOKIE, cookie)
    return response


def _transaction() -> dict:
    """Load the transaction named by `?state=` for this browser, or explain why not."""
    state, browser_key = request.args.get("state"), request.cookies.get(logins.BROWSER_COOKIE)
    transaction = logins.load(current_tenant(), state, browser_key)
    if transaction is None and logins.finished(current_tenant(), state, browser_key):
        # Back (or a reload) after the login went through: nothing expired, it is done.
        raise PageError(
            "This login is finished",
            "You are signed in already: go back to the application. To sign in again, "
            "start from the application.",
        )
    if transaction is None:
        raise PageError(
            "This login has expired",
            "Go back to the application and start the login again. A login "
            "continues only in the browser that started it.",
        )
    g.redirect_uri = transaction["params"]["redirect_uri"]
    g.language = locales.pick(
        transaction["params"].get("ui_locales"),
        [lang for lang, _ in request.accept_languages],
        current_tenant().settings.enabled_locales,
    )
    return transaction


def _check_csrf(transaction: dict) -> None:
    """Refuse a form post without this transaction's CSRF token."""
    presented = request.form.get("csrf_token", "").encode()
    if not hmac.compare_digest(presented, transaction["csrf_token"].encode()):
        raise PageError("Form expired", "Reload the page and try again.")


def _resend_in(transaction: dict) -> int:
    """Return the seconds left before another code may be sent."""
    return logins.seconds_until_resend(current_tenant(), transaction)


def _challenge_url(strategy: str, state: str) -> str:
    """Return the code page for a connection."""
    return url_for(f".{strategy}_challenge", state=state)


@bp.after_request
def _form_action(response):
    """Let forms redirect only to the tenant and the app's callback (CSP form-action)."""
    redirect_uri = g.get("redirect_uri")
    if redirect_uri and response.mimetype == "text/html":
        parts = urllib.parse.urlsplit(redirect_uri)
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; frame-ancestors 'none'; "
            f"form-action 'self' {parts.scheme}://{parts.netloc}"
        )
    return response


@bp.errorhandler(PageError)
def _page_error(error: PageError):
    """Show an error page: the app cannot be trusted with this error, or there is no app."""
    return render_template("u_message.html", title=error.title, detail=error.detail), 400


@bp.errorhandler(RedirectError)
def _redirect_error(error: RedirectError):
    """Send an error back to the app's validated redirect URI, in the requested response mode."""
    params = {k: v for k, v in error.params.items() if k != "state"}
    return answers.respond(
        error.client_id,
        error.redirect_uri,
        error.response_mode,
        params,
        state=error.params["state"],
    )


@bp.errorhandler(StorageBusy)
def _busy(error):
    """Show a try-again page when the database is locked (fail closed)."""
    return (
        render_template(
            "u_message.html",
            title="Busy",
            detail="The login service is busy. Try again in a moment.",
        ),
        503,
        {"Retry-After": "1"},
    )


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Show HTTP errors on login pages as pages, not JSON."""
    return render_template("u_message.html", title=error.name, detail=error.description), error.code


# The fallback page of embedded login (/co/verify) shows its errors like these pages.
cross_origin.bp.register_error_handler(PageError, _page_error)
cross_origin.bp.register_error_handler(RedirectError, _redirect_error)
cross_origin.bp.register_error_handler(StorageBusy, _busy)
