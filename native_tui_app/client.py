"""The native app's whole protocol: every URL, field and grant type it uses is in this file.

Read it top to bottom as the story of a passwordless login from a native app:

1. `start` asks the tenant to send a one-time code (`POST /passwordless/start`).
2. `login` trades the code for tokens (`POST /oauth/token`, Auth0's passwordless OTP grant).
3. `validate_id_token` checks the ID token before anyone believes a claim in it.
4. `refresh` gets new tokens with the refresh token (which rotates), `call_api` uses the
   access token, and `logout` revokes the refresh token.
5. `browser_login` is the other way in: Universal Login in the system browser, back to a
   one-shot loopback listener, authorization code + PKCE (RFC 8252, RFC 7636).

No Textual here: the client is blocking `requests` code that the screens run in workers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
import urllib.parse
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import jwt
import requests

from . import errors
from .loopback import LoopbackListener

DEFAULT_DOMAIN = "http://127.0.0.1:4000"
DEFAULT_CLIENT_ID = "demo-native-app"
DEFAULT_AUDIENCE = "urn:passwordless-demo:api"
DEFAULT_API_URL = "http://localhost:3010"
# offline_access asks for a refresh token; read:messages is the sample API's permission.
# https://auth0.com/docs/get-started/apis/scopes/openid-connect-scopes
DEFAULT_SCOPE = "openid profile email offline_access read:messages"
# https://www.rfc-editor.org/rfc/rfc8252#section-7.3: loopback redirects use the IP literal,
# not "localhost" (which could resolve elsewhere), on any port. Registered at the tenant as
# http://127.0.0.1/callback.
LOOPBACK_HOST = "127.0.0.1"
CALLBACK_PATH = "/callback"

# https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"

# RFC 8725 section 3.1: the verifier picks the algorithm, never the token (its `alg` header)
# and never the discovery document. Pinning RS256 also refuses `alg: none` and HS256 tokens
# "signed" with the tenant's public key. Auth0 signs its tokens with RS256.
# https://www.rfc-editor.org/rfc/rfc8725#section-3.1
ALGORITHMS = ["RS256"]

# Claims every token carries: ID tokens by OpenID Connect Core 2, JWT access tokens by
# RFC 9068 section 2.2. A token without one of them is refused, not guessed at.
# https://openid.net/specs/openid-connect-core-1_0.html#IDToken
# https://www.rfc-editor.org/rfc/rfc9068#section-2.2
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]

# Seconds of clock difference forgiven when checking `exp` and `iat`. RFC 7519 allows "some
# small leeway, usually no more than a few minutes"; one minute covers two machines' clocks
# drifting apart between syncs, keeps an expired token refused soon after, and is what
# auth0-spa-js (the single-page app's SDK) forgives by default, so all four clients agree.
# https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
LEEWAY_SECONDS = 60

# How long to keep the tenant's key set, and the least time between two fetches that an
# unknown `kid` may cause (so made-up `kid`s cost the tenant one request, not one each).
JWKS_LIFESPAN_SECONDS = 600
JWKS_COOLDOWN_SECONDS = 30

# What AUTH0_DOMAIN may name: a DNS name or IPv4 address, or a bracketed IPv6 address, with
# an optional port; no user, path, query or spaces (https://www.rfc-editor.org/rfc/rfc3986#section-3.2).
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)

# A phone number typed the local way (digits, spaces, dashes, dots, brackets) without the
# "+" and country code that E.164 needs.
_LOCAL_PHONE = re.compile(r"[0-9 ().-]*[0-9][0-9 ().-]*")
PHONE_HELP = "A phone number needs + and the country code, like +15555550100."

# Seconds to wait for the tenant or the API before saying it is unreachable.
TIMEOUT = 10


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint answered, plus the ID token's validated claims."""

    access_token: str
    id_token: str
    refresh_token: str | None
    # When the access token expires, in Unix seconds (from `expires_in`, RFC 6749 5.1).
    expires_at: int
    scope: str
    claims: Mapping[str, Any]


@dataclass(frozen=True)
class Challenge:
    """A code is on its way: to whom, and over which passwordless connection."""

    identifier: str
    connection: str


@dataclass(frozen=True)
class ApiResponse:
    """What the sample API answered: its status and its JSON (or text) body."""

    status: int
    body: Any


def base_url(domain: str) -> str:
    """Turn `AUTH0_DOMAIN` into a base URL: a bare host means https, a full URL is kept.

    Raises:
        ValueError: for anything but a host (with an optional port) or an http(s) base URL:
            spaces, a path, `http//host`, an empty host.

    """
    domain = domain.strip().rstrip("/")
    scheme, separator, host = domain.partition("://")
    if not separator:
        # Real Auth0 domains are bare host names served over HTTPS (auth0-spa-js does the same).
        scheme, host = "https", domain
    if scheme.lower() not in ("http", "https") or not _HOST.fullmatch(host):
        raise ValueError(
            "The tenant domain (--domain or AUTH0_DOMAIN) must be a host name like "
            "tenant.eu.auth0.com or an http(s) URL like http://127.0.0.1:4000, "
            f"not {domain!r}."
        )
    return f"{scheme.lower()}://{host}"


def normalize_identifier(identifier: str) -> str:
    """Trim what a person typed; phone numbers also lose the spaces and dashes people add."""
    identifier = identifier.strip()
    if identifier.startswith("+"):
        return identifier.replace(" ", "").replace("-", "")
    return identifier


def connection_for(identifier: str) -> str:
    """Pick the passwordless connection: `sms` for an E.164 phone number, else `email`."""
    # https://www.itu.int/rec/T-REC-E.164: international numbers start with "+".
    return "sms" if normalize_identifier(identifier).startswith("+") else "email"


def decode_for_display(token: str) -> tuple[dict, dict] | None:
    """Return a JWT's header and payload WITHOUT checking it, or None if it is opaque."""
    # Only for display: the access token is the API's to verify, and the ID token is
    # shown after validate_id_token has accepted it.
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.DecodeError:
        # Without an audience Auth0 issues an opaque access token, good only for /userinfo.
        return None
    return header, payload


class PasswordlessClient:
    """A public native client of an Auth0 tenant (no client secret: RFC 8252 8.5).

    Args:
        domain: tenant domain, `tenant.auth0.com` (https) or a URL like `http://127.0.0.1:4000`.
        client_id: the native application's client id.
        audience: the API the access token is for.
        scope: the scopes to ask for.
        api_url: base URL of the sample API that `call_api` talks to.

    """

    def __init__(
        self,
        domain: str = DEFAULT_DOMAIN,
        client_id: str = DEFAULT_CLIENT_ID,
        audience: str = DEFAULT_AUDIENCE,
        scope: str = DEFAULT_SCOPE,
        api_url: str = DEFAULT_API_URL,
    ):
        self.base_url = base_url(domain)
        # Auth0's issuer is the domain URL with a trailing slash, compared as an exact string.
        self.issuer = self.base_url + "/"
        self.client_id = client_id
        self.audience = audience
        self.scope = scope
        self.api_url = api_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "passwordless-demo-native-app"
        # Keys come only from this URL, the configured tenant's key set. A token's own `jku`,
        # `x5u` or `jwk` header would let its sender pick the key that verifies it, so
        # nothing here reads them: PyJWKClient looks at `kid` alone.
        # https://www.rfc-editor.org/rfc/rfc8725#section-3.10
        self.jwks = jwt.PyJWKClient(
            self.base_url + "/.well-known/jwks.json",
            cache_jwk_set=True,
            lifespan=JWKS_LIFESPAN_SECONDS,
            cooldown_duration=JWKS_COOLDOWN_SECONDS,
            timeout=TIMEOUT,
        )

    def close(self) -> None:
        """Close the connections the session keeps open to the tenant and the API."""
        self.session.close()

    # ---- the direct passwordless grant ----------------------------------------------------

    def start(self, identifier: str) -> Challenge:
        """Send a one-time code by email or SMS: `POST /passwordless/start` with `send=code`.

        Raises:
            InvalidIdentifier, RateLimited, TenantUnreachable, BadResponse, AuthError.

        """
        # https://auth0.com/docs/api/authentication#get-code-or-link
        identifier = normalize_identifier(identifier)
        if _LOCAL_PHONE.fullmatch(identifier):
            # Sent as it is, it would go to the email connection and come back "bad.email".
            raise errors.InvalidIdentifier(PHONE_HELP)
        connection = connection_for(identifier)
        field = "email" if connection == "email" else "phone_number"
        self._post(
            "/passwordless/start",
            json={
                "client_id": self.client_id,
                "connection": connection,
                field: identifier,
                # Without send=code Auth0 emails a magic link, which a terminal cannot open.
                "send": "code",
            },
        )
        return Challenge(identifier, connection)

    def login(self, identifier: str, code: str) -> Tokens:
        """Trade a one-time code for tokens: `POST /oauth/token`, passwordless OTP grant.

        Raises:
            WrongCode, CodeExpired, TooManyAttempts, RateLimited, TenantUnreachable,
            BadResponse, InvalidToken, AuthError.

        """
        # https://auth0.com/docs/api/authentication#authenticate-user
        identifier = normalize_identifier(identifier)
        body = self._token_request(
            {
                "grant_type": OTP_GRANT,
                "client_id": self.client_id,
                "username": identifier,
                "otp": code.strip(),
                "realm": connection_for(identifier),
                "audience": self.audience,
                "scope": self.scope,
            },
            refused=_refused_code,
        )
        return self._tokens(body)

    # ---- what a signed-in app does ----------------------------------------------------------

    def refresh(self, tokens: Tokens | str) -> Tokens:
        """Get new tokens: `POST /oauth/token` with `grant_type=refresh_token`.

        With rotation the answer carries a new refresh token and the old one stops working.

        Args:
            tokens: the current tokens, or just a refresh token saved from an earlier run.

        Raises:
            SessionExpired (the refresh token was refused: sign in again), TenantUnreachable,
            BadResponse, InvalidToken, AuthError.

        """
        # https://auth0.com/docs/secure/tokens/refresh-tokens/use-refresh-tokens
        refresh_token = tokens if isinstance(tokens, str) else tokens.refresh_token
        if not refresh_token:
            raise errors.SessionExpired("There is no refresh token: sign in again.")
        body = self._token_request(
            {
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "refresh_token": refresh_token,
            },
            refused=lambda _: errors.SessionExpired,
        )
        # Without rotation the tenant sends no new refresh token: keep the old one.
        return self._tokens(body, keep_refresh_token=refresh_token)

    def logout(self, tokens: Tokens) -> None:
        """Revoke the refresh token and what it issued: `POST /oauth/revoke` (RFC 7009).

        Raises:
            TenantUnreachable, BadResponse, AuthError.

        """
        # https://auth0.com/docs/api/authentication#revoke-refresh-token
        if tokens.refresh_token:
            self._post(
                "/oauth/revoke",
                data={
                    "client_id": self.client_id,
                    "token": tokens.refresh_token,
                    "token_type_hint": "refresh_token",
                },
            )

    def call_api(self, tokens: Tokens, path: str) -> ApiResponse:
        """Call the sample API with the access token: `GET <api_url><path>`, Bearer auth.

        Raises:
            ApiUnreachable when nothing answers; any HTTP answer is returned, 401 and 403 too.

        """
        # https://www.rfc-editor.org/rfc/rfc6750#section-2.1: the token goes in a header,
        # never in the URL.
        url = self.api_url + "/" + path.lstrip("/")
        try:
            response = self.session.get(
                url, headers={"Authorization": f"Bearer {tokens.access_token}"}, timeout=TIMEOUT
            )
        except requests.RequestException as error:
            raise errors.ApiUnreachable(
                f"Cannot reach the API at {self.api_url} ({_reason(error)}). "
                "Is it running? Start it with `python -m sample_api`."
            ) from error
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return ApiResponse(response.status_code, body)

    # ---- ID token validation ------------------------------------------------------------------

    def validate_id_token(self, id_token: str, nonce: str | None = None) -> dict:
        """Check an ID token's signature and claims and return the claims.

        Args:
            id_token: the compact JWT from the token endpoint.
            nonce: the nonce a browser login sent to /authorize; None for the OTP grant and
                for a refresh, whose tokens carry none (OpenID Connect Core 12.2).

        Raises:
            InvalidToken: for anything wrong; TenantUnreachable if the keys cannot be fetched.

        """
        # https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
        try:
            key = self.jwks.get_signing_key_from_jwt(id_token)
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                # OIDC Core 3.1.3.7 steps 2 and 3: the issuer is exactly the tenant's, with
                # Auth0's trailing slash, and our client id is among the audiences.
                issuer=self.issuer,
                audience=self.client_id,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWKClientConnectionError as error:
            raise errors.TenantUnreachable(
                f"Cannot fetch the tenant's signing keys from {self.jwks.uri}."
            ) from error
        except jwt.ImmatureSignatureError as error:
            # `iat` (or `nbf`) later than now plus the leeway: a clock, not an attacker, is
            # the likely cause, so say which.
            raise errors.InvalidToken(
                f"The ID token is not valid: {error}. It says it was issued in the future: "
                "this computer's clock and the tenant's disagree by more than a minute."
            ) from error
        except jwt.PyJWTError as error:
            raise errors.InvalidToken(f"The ID token is not valid: {error}") from error
        self._check_authorized_party(claims)
        self._check_nonce(claims, nonce)
        return claims

    def _check_authorized_party(self, claims: dict) -> None:
        """Require `azp` to be us when the token names several audiences (OIDC Core 3.1.3.7)."""
        # https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation steps 4-5
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise errors.InvalidToken(
                "The ID token is not valid: it has several audiences and names another party."
            )
        if "azp" in claims and claims["azp"] != self.client_id:
            raise errors.InvalidToken(
                "The ID token is not valid: it was issued to another client (azp)."
            )

    @staticmethod
    def _check_nonce(claims: dict, nonce: str | None) -> None:
        """Require the nonce this login sent, which ties the token to this login attempt."""
        # https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
        if nonce is None:
            return
        presented = claims.get("nonce")
        if not isinstance(presented, str) or not hmac.compare_digest(
            presented.encode(), nonce.encode()
        ):
            raise errors.InvalidToken("The ID token is not valid: its nonce does not match.")

    # ---- browser login (authorization code + PKCE over a loopback redirect) -------------------

    def browser_login(
        self,
        open_browser: Callable[[str], object] = webbrowser.open,
        timeout: float = 300,
        cancel: threading.Event | None = None,
    ) -> Tokens:
        """Log in through Universal Login in the system browser and return the tokens.

        `GET /authorize` in the browser, then `POST /oauth/token` with
        `grant_type=authorization_code` and the PKCE `code_verifier`.

        Args:
            open_browser: called with the authorization URL (tests hand it to Playwright).
            timeout: seconds to wait for the browser to come back.
            cancel: set it from another thread to stop waiting.

        Raises:
            BrowserLoginFailed, TenantUnreachable, BadResponse, InvalidToken, AuthError.

        """
        # https://www.rfc-editor.org/rfc/rfc7636#section-4.1: 32 random bytes make a
        # 43-character verifier; the challenge is its SHA-256, base64url without padding.
        verifier = secrets.token_urlsafe(32)
        challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

        # The port is picked by the OS when the listener binds, so it is free by construction.
        # The listener waits for the answer carrying this state and ignores any other.
        with LoopbackListener(LOOPBACK_HOST, CALLBACK_PATH, state) as listener:
            redirect_uri = f"http://{LOOPBACK_HOST}:{listener.port}{CALLBACK_PATH}"
            open_browser(
                self.base_url
                + "/authorize?"
                + urllib.parse.urlencode(
                    {
                        "response_type": "code",
                        "client_id": self.client_id,
                        "redirect_uri": redirect_uri,
                        "scope": self.scope,
                        "audience": self.audience,
                        "state": state,
                        "nonce": nonce,
                        "code_challenge": challenge,
                        "code_challenge_method": "S256",
                    }
                )
            )
            params = listener.wait(timeout=timeout, cancel=cancel)
        code = self._check_callback(params, state)
        body = self._token_request(
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            refused=lambda _: errors.BrowserLoginFailed,
        )
        return self._tokens(body, nonce=nonce)

    def _check_callback(self, params: dict[str, str], state: str) -> str:
        """Check the authorization response's `state` (and `iss`) and return the code."""
        # https://www.rfc-editor.org/rfc/rfc6749#section-10.12: a response whose state we did
        # not send was not started by us (login CSRF); refuse it before looking further.
        if not secrets.compare_digest(params.get("state", "").encode(), state.encode()):
            raise errors.BrowserLoginFailed(
                "The browser came back with a state this app did not send; login refused."
            )
        # https://www.rfc-editor.org/rfc/rfc9207: when the tenant names itself, it must be ours.
        if "iss" in params and params["iss"] != self.issuer:
            raise errors.BrowserLoginFailed("The browser came back from another issuer.")
        if "error" in params:
            raise errors.BrowserLoginFailed(
                f"Login was not completed: {params.get('error_description') or params['error']}",
                error=params["error"],
            )
        if not params.get("code"):
            raise errors.BrowserLoginFailed("The browser came back without a code.")
        return params["code"]

    # ---- plumbing ---------------------------------------------------------------------------

    def _token_request(self, form: dict, refused: Callable[[str], type[errors.AuthError]]) -> dict:
        """POST to the token endpoint; `refused` picks the exception for `invalid_grant`."""
        # https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3: form-encoded, as the RFC
        # says (Auth0 also takes JSON here).
        try:
            return self._post("/oauth/token", data=form)
        except errors.AuthError as error:
            if error.error != "invalid_grant":
                raise
            raise refused(str(error))(str(error), error=error.error, status=error.status) from None

    def _tokens(
        self, body: dict, nonce: str | None = None, keep_refresh_token: str | None = None
    ) -> Tokens:
        """Check a token response's shape, validate its ID token, and build `Tokens`."""
        # https://www.rfc-editor.org/rfc/rfc6749#section-5.1
        access_token, id_token = body.get("access_token"), body.get("id_token")
        expires_in = body.get("expires_in")
        if not (
            isinstance(access_token, str)
            and isinstance(id_token, str)
            and isinstance(expires_in, int)
            and str(body.get("token_type", "")).lower() == "bearer"
        ):
            raise errors.BadResponse(
                "The tenant's token response lacks access_token, id_token, expires_in "
                "or token_type Bearer."
            )
        claims = self.validate_id_token(id_token, nonce=nonce)
        refresh_token = body.get("refresh_token")
        return Tokens(
            access_token=access_token,
            id_token=id_token,
            refresh_token=refresh_token if isinstance(refresh_token, str) else keep_refresh_token,
            expires_at=int(time.time()) + expires_in,
            scope=str(body.get("scope", "")),
            claims=MappingProxyType(claims),
        )

    def _post(self, path: str, *, json: dict | None = None, data: dict | None = None) -> dict:
        """POST to the tenant and return its JSON answer, or raise the matching error."""
        url = self.base_url + path
        try:
            response = self.session.post(url, json=json, data=data, timeout=TIMEOUT)
        except requests.exceptions.SSLError as error:
            raise errors.TenantUnreachable(_tls_failure(self.base_url, error)) from error
        except requests.RequestException as error:
            raise errors.TenantUnreachable(
                f"Cannot reach the tenant at {self.base_url} ({_reason(error)}). "
                "Is it running? Check it and try again."
            ) from error
        if response.ok and not response.content:
            return {}  # /oauth/revoke answers 200 with an empty body
        body = _json_object(response)
        if not response.ok:
            raise _error_for(response, body)
        return body


def _json_object(response: requests.Response) -> dict:
    """Return a response's JSON object, or raise BadResponse for anything else."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        raise errors.BadResponse(
            f"The tenant answered HTTP {response.status_code} with {kind}, "
            "not Auth0's JSON. Is the domain right?",
            status=response.status_code,
        )
    return body


def _error_for(response: requests.Response, body: dict) -> errors.AuthError:
    """Turn Auth0's `{"error", "error_description"}` answer into a typed exception."""
    # https://auth0.com/docs/api/authentication#standard-error-responses
    error, status = str(body.get("error", "")), response.status_code
    description = str(body.get("error_description") or error or f"HTTP {status}")
    # Auth0's brute-force lock answers 429 too, but it is about attempts, not request rate.
    if error == "too_many_attempts":
        return errors.TooManyAttempts(description, error=error, status=status)
    if status == 429 or error == "too_many_requests":
        retry_after = response.headers.get("Retry-After", "")
        return errors.RateLimited(
            f"Too many requests: {description}",
            retry_after=int(retry_after) if retry_after.isdigit() else None,
            error=error,
            status=status,
        )
    if error == "bad.phone_number":
        # Auth0 answers with its regular expression; say what an E.164 number looks like.
        return errors.InvalidIdentifier(
            f"{PHONE_HELP} (The tenant said: {description})", error=error, status=status
        )
    if error == "bad.email":
        return errors.InvalidIdentifier(description, error=error, status=status)
    if status >= 500:
        return errors.AuthError(
            f"The tenant had a problem (HTTP {status}): {description}", error=error, status=status
        )
    return errors.AuthError(description, error=error, status=status)


def _refused_code(description: str) -> type[errors.AuthError]:
    """Tell which refusal an OTP `invalid_grant` is; only Auth0's wording tells them apart."""
    # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
    lowered = description.lower()
    if "expired" in lowered:
        return errors.CodeExpired
    if "maximum number of attempts" in lowered:
        return errors.TooManyAttempts
    return errors.WrongCode


def _tls_failure(url: str, error: requests.exceptions.SSLError) -> str:
    """Explain a failed TLS handshake; a plain-HTTP server answering https is the usual cause."""
    # A server that speaks plain HTTP answers the TLS ClientHello with "HTTP/1.1 400", which
    # OpenSSL reports as a wrong version number (or, in OpenSSL 3.2+, a record layer failure).
    if any(sign in str(error) for sign in ("WRONG_VERSION_NUMBER", "record layer failure")):
        plain = "http://" + url.removeprefix("https://")
        return (
            f"The tenant at {url} does not speak HTTPS; if it is the local mock tenant, "
            f"use AUTH0_DOMAIN={plain}"
        )
    return f"Cannot reach the tenant at {url} securely: the TLS handshake failed ({error})."


def _reason(error: requests.RequestException) -> str:
    """Name a network failure in a few words."""
    if isinstance(error, requests.Timeout):
        return "no answer in time"
    if isinstance(error, requests.ConnectionError):
        return "connection failed"
    return type(error).__name__


def _b64url(data: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 7636 appendix A)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
