"""Classic Universal Login: the `/login` page made from a template, and the calls it makes.

/authorize sends the browser here when `[prompts] universal_login_experience = "classic"`
(login/pages.py: authorize_endpoint). The page runs Auth0's Lock or auth0.js, which call
`/client/{client_id}.js`, `/passwordless/start`, `/passwordless/verify` and
`/passwordless/verify_redirect` on the same origin. The configuration and the login
transaction are the core's (core/classic.py, core/logins.py); these views only translate HTTP.
https://auth0.com/docs/customize/login-pages/classic-login/customize-classic-login-pages
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, request, send_from_directory

from ..api.token_endpoint import OTP_FAILURE, WRONG_CODE
from ..config import VENDOR, ConfigError, check_login_page, origin
from ..core import classic, logins
from ..core.codes import Outcome
from ..core.identifiers import IdentifierError, normalize
from ..web import ApiError, current_tenant, read_params
from . import pages
from .authorize import PageError

bp = Blueprint("classic", __name__)
# The page's errors (an unknown or finished login) look as on the New pages, in its language.
bp.context_processor(pages._language)
bp.register_error_handler(PageError, pages._page_error)


@bp.get("/login")
def login():
    """Render the Classic login page: the template with `@@config@@` filled in."""
    tenant = current_tenant()
    transaction = pages._transaction()
    client = tenant.config.client(transaction["client_id"])
    # Read on every request, so an edited template shows on reload; checked at start.
    try:
        template = check_login_page(tenant.config.prompts.login_page_path)
    except ConfigError as error:
        raise PageError("The login page cannot be shown", str(error)) from None
    config = classic.page_config(tenant, transaction, client, base_url=tenant.url(""))
    response = Response(classic.render(template, config), mimetype="text/html")
    callback_origin = origin(transaction["params"]["redirect_uri"])
    # Auth0's templates run inline scripts and Lock writes inline styles: allowed here only,
    # and still nothing from another origin (docs/security.md rule 7).
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
        f"form-action 'self' {callback_origin}"
    )
    return response


@bp.get("/client/<client_id>.js")
def client_script(client_id: str):
    """Serve Lock's application settings as JSONP: `Auth0.setClient({...});`."""
    # auth0-lock lib/core/client/settings.js: fetchClientSettings loads
    # {configurationBaseUrl}/client/{clientID}.js?t{time} and checks `id`.
    tenant = current_tenant()
    client = tenant.config.client(client_id)
    if client is None:
        abort(404)
    body = json.dumps(classic.client_settings(tenant.config, client, tenant.url("")))
    return Response(f"Auth0.setClient({body});", mimetype="application/javascript")


@bp.get("/js/lock/<version>/<language>.js")
def lock_language(version: str, language: str):
    """Serve Lock's words in a language, as Auth0's CDN does for `languageBaseUrl`."""
    # auth0-lock lib/i18n.js: syncLang loads {languageBaseUrl}/js/lock/{version}/{lang}.js,
    # even for English. Built from the npm package by `make setup` (assets/build.mjs).
    if not re.fullmatch(r"[a-z]{2}(-[A-Za-z]{2,4})?", language):
        abort(404)
    return send_from_directory(VENDOR / "lock-i18n", f"{language}.js")


@bp.post("/passwordless/verify")
def passwordless_verify():
    """Check the code typed on the Classic page; the page then follows verify_redirect."""
    # auth0-js src/authentication/passwordless-authentication.js: verify posts
    # connection, verification_code, email or phone_number, client_id; on success
    # src/web-auth/index.js: passwordlessVerify redirects to /passwordless/verify_redirect.
    tenant = current_tenant()
    params = read_params()
    connection = tenant.config.connection(params.get("connection"))
    if connection is None:
        raise ApiError(400, "bad.connection", "Connection does not exist")
    field = "email" if connection.strategy == "email" else "phone_number"
    try:
        identifier = normalize(connection.strategy, params.get(field, ""))
    except IdentifierError as error:
        raise ApiError(400, f"bad.{field}", str(error)) from None
    code = params.get("verification_code", "")
    outcome = Outcome.WRONG
    if code.isascii() and code.isdigit() and len(code) in pages.LINK_CODE_LENGTHS:
        outcome = logins.verify_on_page(
            tenant,
            request.cookies.get(logins.BROWSER_COOKIE),
            client_id=params.get("client_id", ""),
            connection=connection.name,
            identifier=identifier,
            code=code,
        )
    if outcome is not Outcome.OK:
        # The suite's choice: the OTP grant's answer for a wrong code (403 invalid_grant),
        # in its words (https://auth0.com/docs/api/authentication#authenticate-user), which
        # auth0.js shows to the person (Lock through its dictionary); no public source
        # records what /passwordless/verify answers. A lockout reads as too many attempts.
        failure = Outcome.TOO_MANY_ATTEMPTS if outcome is Outcome.LOCKED else outcome
        description = OTP_FAILURE.get(failure, WRONG_CODE[connection.strategy])
        raise ApiError(403, "invalid_grant", description)
    return Response("{}", mimetype="application/json", headers={"Cache-Control": "no-store"})


@bp.post("/passwordless/challenge")
def passwordless_challenge():
    """Tell Lock and auth0.js no captcha is needed before sending a code."""
    # auth0-js src/authentication/passwordless-authentication.js: getChallenge, asked on a
    # hosted page at start; `required: false` means no captcha (the suite has none).
    return Response('{"required": false}', mimetype="application/json")


@bp.get("/user/ssodata")
def sso_data():
    """Tell Lock there is no remembered login to offer ("last time you signed in with...")."""
    # auth0-js src/web-auth/hosted-pages.js: getSSOData. The suite's choice: no
    # "last login" screen; Lock shows its form at once.
    return Response('{"sso": false}', mimetype="application/json")


@bp.get("/user/geoloc/country")
def user_country():
    """Tell Lock which country to preselect for a phone number: the US (+1), always."""
    # auth0-js src/authentication/index.js: getUserCountry, asked by Lock's SMS screen.
    # Auth0 locates the caller's IP address; the suite's choice is a fixed answer, since
    # nothing here may look an address up, and the demo's phone numbers are +1.
    return Response('{"country_code": "US"}', mimetype="application/json")
