"""The authorization endpoint's rules: validate `/authorize` the way Auth0 does.

Protocol only, no pages: `login/pages.py` calls `validate` from its views, and the core
(`core/logins.py`, `core/grants.py`) issues the code once the person has logged in.
"""

from __future__ import annotations

import re
import urllib.parse

from ..api.oauth2 import OAuthClient
from ..config import Rules
from ..core.logins import AuthorizeRequest
from ..core.minting import granted_scope
from ..core.tenant import Tenant
from ..web import echo

# https://www.rfc-editor.org/rfc/rfc7636#section-4.2: 43 to 128 unreserved characters.
CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
PROMPTS = {"none", "login", "consent", "select_account"}
# Parameters over this length are refused: nothing legitimate needs more.
MAX_PARAM_LENGTH = 2048
# The response types Auth0's discovery document lists: the code flow, the implicit flow and
# the hybrid flows of OpenID Connect Core 3.2 and 3.3.
# https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#Combinations
RESPONSE_TYPES = (
    "code",
    "token",
    "id_token",
    "code token",
    "code id_token",
    "token id_token",
    "code token id_token",
)
# https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes and
# https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html; `web_message` is
# Auth0's own (auth0-spa-js's silent login and popups).
RESPONSE_MODES = ("query", "fragment", "form_post", "web_message")
# https://www.rfc-editor.org/rfc/rfc7636#section-4.3 (plain is the default method).
PKCE_METHODS = ("S256", "plain")


def response_types(rules: Rules) -> list[str]:
    """Return the response types /authorize accepts under the tenant's rules."""
    # https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2: no tokens in the front channel.
    return ["code"] if rules.no_front_channel_tokens else list(RESPONSE_TYPES)


def response_modes(rules: Rules) -> list[str]:
    """Return the response modes /authorize accepts under the tenant's rules."""
    # Hardened: the answer goes in the query (or to the SPA's window), nowhere else.
    if rules.no_front_channel_tokens:
        return ["query", "web_message"]
    return list(RESPONSE_MODES)


def pkce_methods(rules: Rules) -> list[str]:
    """Return the PKCE methods /authorize accepts under the tenant's rules."""
    # https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1: S256 only.
    return ["S256"] if rules.require_pkce_s256 else list(PKCE_METHODS)


def default_response_mode(response_type: str | None) -> str:
    """Return the response mode a response type gets when the app names none."""
    # https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#Combinations:
    # anything that carries a token goes in the fragment, never in the query.
    return "query" if response_type in (None, "code") else "fragment"


class PageError(Exception):
    """An /authorize error that must be shown as a page, never redirected (RFC 6749 4.1.2.1)."""

    def __init__(self, title: str, detail: str):
        super().__init__(detail)
        self.title, self.detail = title, detail


class RedirectError(Exception):
    """An /authorize error sent back to the app's validated redirect URI, in its response mode."""

    def __init__(
        self,
        redirect_uri: str,
        error: str,
        description: str,
        state: str | None,
        *,
        client_id: str,
        response_mode: str = "query",
    ):
        # The one place an /authorize error's text is made safe: it may repeat the app's
        # input (an audience, a connection), and the description travels in a URL or a form.
        description = echo(description)
        super().__init__(description)
        self.redirect_uri, self.client_id, self.response_mode = (
            redirect_uri,
            client_id,
            response_mode,
        )
        self.params = {"error": error, "error_description": description, "state": state}


def validate(tenant: Tenant, params) -> AuthorizeRequest:
    """Check an /authorize request the way Auth0 does.

    Raises:
        PageError: unknown client or redirect URI (the app cannot be trusted with an error).
        RedirectError: any other problem, sent to the app with `error` and `state`.
    """

    def param(name: str) -> str | None:
        values = params.getlist(name)
        # https://www.rfc-editor.org/rfc/rfc6749#section-3.1: no parameter twice.
        if len(values) > 1:
            raise PageError("Invalid request", f"The parameter {name} was given twice.")
        value = values[0] if values else None
        if value is not None and len(value) > MAX_PARAM_LENGTH:
            raise PageError("Invalid request", f"The parameter {name} is too long.")
        return value or None

    client_config = tenant.config.client(param("client_id"))
    if client_config is None:
        raise PageError("Unknown application", "The client_id does not belong to any application.")
    redirect_uri = param("redirect_uri")
    # https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3: exact string matching.
    if not redirect_uri or not OAuthClient(client_config).check_redirect_uri(redirect_uri):
        raise PageError(
            "Callback URL mismatch",
            f"The redirect_uri is not one of the Allowed Callback URLs of {client_config.name}.",
        )
    state = param("state")
    rules = tenant.config.rules
    # The error goes back the way the answer would have: a valid response_mode as asked,
    # else the default of the response type (fragment for tokens, RFC 6749 4.2.2.1).
    requested_type = _response_type(param("response_type"))
    response_mode = param("response_mode")
    if response_mode not in response_modes(rules):
        response_mode = None
    # A response type the tenant does not support has no default mode of its own: query.
    supported = requested_type in response_types(rules)
    error_mode = response_mode or (default_response_mode(requested_type) if supported else "query")

    _announce_rules(tenant, client_config, requested_type, params)

    def fail(error: str, description: str):
        raise RedirectError(
            redirect_uri,
            error,
            description,
            state,
            client_id=client_config.client_id,
            response_mode=error_mode,
        )

    # web_message posts the answer to the app's window: only to an Allowed Web Origin.
    parts = urllib.parse.urlsplit(redirect_uri)
    if error_mode == "web_message" and (
        f"{parts.scheme}://{parts.netloc}" not in client_config.web_origins
    ):
        raise PageError(
            "Origin not allowed",
            "response_mode=web_message needs the redirect_uri's origin in the application's "
            "Allowed Web Origins.",
        )
    # https://openid.net/specs/openid-connect-core-1_0.html#AuthError: a provider that does
    # not take request objects answers `request_not_supported` / `request_uri_not_supported`
    # rather than ignore them (the parameters inside would be lost: state, nonce...).
    if param("request") is not None:
        fail("request_not_supported", "The request parameter (a request object) is not supported.")
    if param("request_uri") is not None:
        fail("request_uri_not_supported", "The request_uri parameter is not supported.")
    if not supported:
        fail(
            "unsupported_response_type",
            "Unsupported response_type: use one of " + ", ".join(response_types(rules)) + ".",
        )
    if param("response_mode") is not None and response_mode is None:
        fail(
            "invalid_request",
            "response_mode must be one of " + ", ".join(response_modes(rules)) + ".",
        )
    flow = set(requested_type.split())
    # https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#Combinations:
    # "the query encoding MUST NOT be used" for a response that carries tokens.
    if response_mode == "query" and flow != {"code"}:
        fail("invalid_request", f"response_mode=query is not allowed with {requested_type}.")
    if "code" in flow and "authorization_code" not in client_config.grant_types:
        fail("unauthorized_client", "Grant type 'authorization_code' not allowed for the client.")
    # Auth0 names the implicit and hybrid flows' grant `implicit` in the client's grant_types.
    if flow & {"token", "id_token"} and "implicit" not in client_config.grant_types:
        fail("unauthorized_client", "Grant type 'implicit' not allowed for the client.")
    scope = granted_scope(tenant, param("scope") or "openid", param("audience"))
    nonce = param("nonce")
    if "id_token" in flow and "openid" not in scope.split():
        fail("invalid_request", f"response_type={requested_type} needs the openid scope.")
    # https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest and
    # #HybridAuthRequest: nonce is REQUIRED when the ID token comes from /authorize.
    if "id_token" in flow and not nonce:
        fail("invalid_request", f"nonce is required with response_type={requested_type}.")
    challenge, method = param("code_challenge"), param("code_challenge_method")
    if challenge is not None and method is None:
        # https://www.rfc-editor.org/rfc/rfc7636#section-4.3: "defaults to plain if not present".
        method = "plain"
    # https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1: PKCE for public clients, S256 only
    # (hardened). Auth0's discovery document lists `plain` beside S256. Whether Auth0 refuses
    # a public client without PKCE no source says; the suite's choice follows the document
    # (PKCE is optional there) and accepts it.
    if challenge is None and "code" in flow and client_config.is_public and rules.require_pkce_s256:
        fail("invalid_request", "code_challenge is required for this application (PKCE).")
    if challenge is not None and (
        method not in pkce_methods(rules) or not CODE_CHALLENGE.fullmatch(challenge)
    ):
        fail(
            "invalid_request",
            "code_challenge_method must be "
            + " or ".join(pkce_methods(rules))
            + " with a valid code_challenge.",
        )
    audience = param("audience")
    if audience and tenant.config.resource_server(audience) is None:
        fail("access_denied", f"Service not found: {audience}")
    connection = param("connection")
    if connection and tenant.config.connection(connection) is None:
        fail("invalid_request", f"The connection {connection} is not enabled.")
    prompt = param("prompt")
    if prompt and not set(prompt.split()) <= PROMPTS:
        fail("invalid_request", "Unsupported prompt value.")
    max_age = param("max_age")
    if max_age is not None and not (max_age.isascii() and max_age.isdigit()):
        fail("invalid_request", "max_age must be a number of seconds.")

    return AuthorizeRequest(
        client_id=client_config.client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method=method if challenge else None,
        audience=audience,
        connection=connection,
        login_hint=param("login_hint"),
        prompt=prompt,
        max_age=int(max_age) if max_age is not None else None,
        response_mode=error_mode,
        response_type=requested_type,
        # https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (ui_locales)
        ui_locales=(param("ui_locales") or "")[:100] or None,
    )


def _announce_rules(tenant: Tenant, client, requested_type: str | None, params) -> None:
    """Say which hardened rules decide this request, so the flow inspector can mark it.

    These are the requests Auth0 accepts and the hardened profile refuses: tokens in the
    front channel, and a public client's code without PKCE S256.
    """
    front_channel = requested_type in RESPONSE_TYPES and requested_type != "code"
    if front_channel or params.get("response_mode") in ("fragment", "form_post"):
        tenant.rule("no_front_channel_tokens")
    # RFC 7636 4.3: a challenge without a method is `plain`.
    method = params.get("code_challenge_method") or "plain"
    without_s256 = params.get("code_challenge") is None or method != "S256"
    if client.is_public and without_s256 and "code" in (requested_type or "").split():
        tenant.rule("require_pkce_s256")


def _response_type(value: str | None) -> str | None:
    """Return a response_type in its canonical order ("id_token code" -> "code id_token")."""
    # https://www.rfc-editor.org/rfc/rfc6749#section-3.1.1: the order of the values does
    # not matter.
    if not value:
        return None
    words = value.split(" ")
    canonical = " ".join(w for w in ("code", "token", "id_token") if w in words)
    return canonical if sorted(words) == sorted(canonical.split()) else value


def with_query(url: str, params: dict) -> str:
    """Add parameters to a URL's query string, URL-encoded, skipping None values."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()


def with_fragment(url: str, params: dict) -> str:
    """Put parameters in a URL's fragment, URL-encoded, skipping None values."""
    # https://www.rfc-editor.org/rfc/rfc6749#section-4.2.2 (application/x-www-form-urlencoded)
    parts = urllib.parse.urlsplit(url)
    fragment = urllib.parse.urlencode([(k, v) for k, v in params.items() if v is not None])
    return parts._replace(fragment=fragment).geturl()
