"""The authorization response: how a finished (or failed) login goes back to the app.

One place for every response mode Auth0 supports: the query (codes), the fragment (tokens),
form_post (an auto-submitting form) and web_message (auth0-spa-js's silent login and popups).
The hosted pages (`login/pages.py`) call `answer` or `respond` once the core has decided.
https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
"""

from __future__ import annotations

import secrets
import urllib.parse

from flask import g, make_response, redirect, render_template, request

from ..core.logins import AuthorizeRequest
from ..web import current_tenant
from . import authorize


def redirect_after(location: str):
    """Redirect the browser: 303 See Other when answering a POST, 302 otherwise.

    After a form post, 303 tells the browser to GET the next page; a 307 would post the
    form again (the code, the CSRF token) to wherever the redirect points.
    https://www.rfc-editor.org/rfc/rfc9700#section-4.12
    """
    return redirect(location, code=303 if request.method == "POST" else 302)


def set_cookie(response, name: str, value: str | None) -> None:
    """Set a tenant cookie (none when `value` is None): HttpOnly, SameSite=Lax, Secure on HTTPS."""
    if value is None:
        return
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="Lax",
        path="/",
        secure=current_tenant().issuer.startswith("https://"),
    )


def answer(auth_request: AuthorizeRequest, params: dict):
    """Send the authorization response (a code, tokens or an error) back to the app."""
    return respond(
        auth_request.client_id,
        auth_request.redirect_uri,
        auth_request.response_mode,
        params,
        state=auth_request.state,
    )


def respond(client_id: str, redirect_uri: str, response_mode: str, params: dict, *, state):
    """Deliver an authorization response to the app in its response mode."""
    params = {**params, "state": state}
    tenant = current_tenant()
    if tenant.config.rules.iss_in_authorization_response:
        # https://www.rfc-editor.org/rfc/rfc9207#section-2: the issuer in every
        # authorization response, success or error, so the app can tell tenants apart.
        params["iss"] = tenant.issuer
    params = {k: str(v) for k, v in params.items() if v is not None}
    if response_mode == "web_message":
        return _web_message(client_id, redirect_uri, params)
    if response_mode == "form_post":
        return _form_post(redirect_uri, params)
    if response_mode == "fragment":
        # https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
        return redirect_after(authorize.with_fragment(redirect_uri, params))
    # https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2: code and state in the query.
    return redirect_after(authorize.with_query(redirect_uri, params))


def _form_post(redirect_uri: str, params: dict):
    """Answer with a page that posts the response to the app's redirect URI.

    The browser submits the form itself (a nonce'd inline script); without JavaScript the
    person presses Continue. The values never appear in a URL.
    https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
    """
    parts = urllib.parse.urlsplit(redirect_uri)
    # The form may go to the app's origin only (https://www.w3.org/TR/CSP3/#directive-form-action).
    return _page_with_script(
        "u_form_post.html",
        f"style-src 'self'; form-action {parts.scheme}://{parts.netloc}; frame-ancestors 'none'",
        action=redirect_uri,
        params=params,
    )


def _page_with_script(template: str, policy: str, **context):
    """Render an answer page whose one inline script runs by its nonce, under its own CSP.

    These pages are not login forms: the app's form-action (pages.py: _form_action) is off.
    https://www.w3.org/TR/CSP3/#security-nonces
    """
    g.pop("redirect_uri", None)
    nonce = secrets.token_urlsafe(16)
    response = make_response(render_template(template, nonce=nonce, **context))
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; base-uri 'none'; {policy}"
    )
    return response


def _web_message(client_id: str, redirect_uri: str, params: dict):
    """Answer with a page that posts the response to the app's window (silent login, popups).

    auth0-spa-js opens `/authorize?prompt=none&response_mode=web_message` in a hidden iframe
    (or a popup) and waits for `{type: "authorization_response", response: {...}}` from the
    tenant's origin. The page posts only to the origin of the validated redirect URI, and
    only if the application lists it in Allowed Web Origins: never to "*", which would hand
    the code to whatever page framed us.
    https://www.rfc-editor.org/rfc/rfc9700#section-4.17 (postMessage to an exact origin)
    """
    parts = urllib.parse.urlsplit(redirect_uri)
    origin = f"{parts.scheme}://{parts.netloc}"
    client = current_tenant().config.client(client_id)
    if client is None or origin not in client.web_origins:
        # A page, not an error raised: this also runs inside the RedirectError handler.
        detail = (
            f"{origin} is not one of the Allowed Web Origins of the application, "
            "so the tenant will not post a login response to it."
        )
        return render_template("u_message.html", title="Origin not allowed", detail=detail), 400
    # The message auth0-spa-js waits for (runIframe in its src/utils.ts); only the app's
    # origin may frame the page.
    message = {"type": "authorization_response", "response": params}
    return _page_with_script(
        "u_web_message.html",
        f"form-action 'none'; frame-ancestors {origin}",
        origin=origin,
        message=message,
    )
