"""The authorization endpoint's rules: validate `/authorize` the way Auth0 does.

Protocol only, no pages: `login/pages.py` calls `validate` from its views, and the core
(`core/logins.py`, `core/grants.py`) issues the code once the person has logged in.
"""

from __future__ import annotations

import re
import urllib.parse

from ..api.oauth2 import OAuthClient
from ..core.logins import AuthorizeRequest
from ..core.minting import granted_scope
from ..core.tenant import Tenant

# https://www.rfc-editor.org/rfc/rfc7636#section-4.2: 43 to 128 unreserved characters.
CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
PROMPTS = {"none", "login", "consent", "select_account"}
# Parameters over this length are refused: nothing legitimate needs more.
MAX_PARAM_LENGTH = 2048


class PageError(Exception):
    """An /authorize error that must be shown as a page, never redirected (RFC 6749 4.1.2.1)."""

    def __init__(self, title: str, detail: str):
        super().__init__(detail)
        self.title, self.detail = title, detail


class RedirectError(Exception):
    """An /authorize error sent back to the app's validated redirect URI."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None):
        super().__init__(description)
        self.location = with_query(
            redirect_uri, {"error": error, "error_description": description, "state": state}
        )


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

    def fail(error: str, description: str):
        raise RedirectError(redirect_uri, error, description, state)

    # https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2: no implicit or hybrid flows.
    if param("response_type") != "code":
        fail("unsupported_response_type", "Only response_type=code is supported.")
    if "authorization_code" not in client_config.grant_types:
        fail("unauthorized_client", "The application may not use the authorization code grant.")
    response_mode = param("response_mode") or "query"
    if response_mode not in ("query", "web_message"):
        fail("invalid_request", "response_mode must be query or web_message.")
    # web_message posts the answer to the app's window: only to an Allowed Web Origin.
    parts = urllib.parse.urlsplit(redirect_uri)
    if response_mode == "web_message" and (
        f"{parts.scheme}://{parts.netloc}" not in client_config.web_origins
    ):
        raise PageError(
            "Origin not allowed",
            "response_mode=web_message needs the redirect_uri's origin in the application's "
            "Allowed Web Origins.",
        )
    challenge, method = param("code_challenge"), param("code_challenge_method")
    # https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1: PKCE for public clients, S256 only.
    if challenge is None and client_config.is_public:
        fail("invalid_request", "code_challenge is required for this application (PKCE).")
    if challenge is not None and (method != "S256" or not CODE_CHALLENGE.fullmatch(challenge)):
        fail("invalid_request", "code_challenge_method must be S256 with a valid code_challenge.")
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
        scope=granted_scope(tenant, param("scope") or "openid", audience),
        state=state,
        nonce=param("nonce"),
        code_challenge=challenge,
        code_challenge_method=method if challenge else None,
        audience=audience,
        connection=connection,
        login_hint=param("login_hint"),
        prompt=prompt,
        max_age=int(max_age) if max_age is not None else None,
        response_mode=response_mode,
        # https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (ui_locales)
        ui_locales=(param("ui_locales") or "")[:100] or None,
    )


def with_query(url: str, params: dict) -> str:
    """Add parameters to a URL's query string, URL-encoded, skipping None values."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()
