"""ID token validation, in one place: PyJWT with every rule spelled out.

Authlib checks the ID token too, but a learner should see each rule, and an app should not
trust a token only because a library it does not read said so. The tenant's answer reached
us over a direct back-channel, yet OpenID Connect still asks the client to check the
signature, the issuer, the audience, the times and the nonce.
https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
"""

from __future__ import annotations

import hmac

import jwt

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


class IdTokenError(Exception):
    """The ID token failed a check; the message says which, for the log and the error page."""

    def __init__(self, message: str, *, from_the_future: bool = False):
        super().__init__(message)
        # The token says it was issued (or becomes valid) later than this machine's now:
        # a clock, not an attacker, is the likely cause.
        self.from_the_future = from_the_future


class IdTokenValidator:
    """Check ID tokens from one tenant, for one client, against the tenant's published keys."""

    def __init__(self, *, issuer: str, client_id: str, jwks_uri: str, timeout: float = 10):
        self.issuer = issuer
        self.client_id = client_id
        # Keys come only from this URL, the configured tenant's key set. A token's own `jku`,
        # `x5u` or `jwk` header would let its sender pick the key that verifies it, so
        # nothing here reads them: PyJWKClient looks at `kid` alone.
        # https://www.rfc-editor.org/rfc/rfc8725#section-3.10
        self.jwks = jwt.PyJWKClient(
            jwks_uri,
            cache_jwk_set=True,
            lifespan=JWKS_LIFESPAN_SECONDS,
            cooldown_duration=JWKS_COOLDOWN_SECONDS,
            timeout=timeout,
        )

    def validate(self, id_token: str, *, nonce: str | None) -> dict:
        """Return the claims of a valid ID token, or raise IdTokenError.

        Args:
            id_token: the compact JWT from the token endpoint.
            nonce: the nonce this login sent to /authorize; None for a token from a refresh,
                which carries none (OpenID Connect Core 12.2).

        Raises:
            IdTokenError: the token is malformed, forged, expired, not for us, or replayed.
            jwt.PyJWKClientConnectionError: the tenant's keys could not be fetched.

        """
        try:
            key = self.jwks.get_signing_key_from_jwt(id_token)
        except jwt.PyJWKClientConnectionError:
            raise
        except jwt.PyJWTError as error:
            # A malformed token, or a `kid` the tenant never published.
            raise IdTokenError(f"no usable signing key: {error}") from None
        try:
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
        except jwt.ImmatureSignatureError as error:
            # PyJWT: `iat` or `nbf` later than now plus the leeway.
            raise IdTokenError(str(error), from_the_future=True) from None
        except jwt.PyJWTError as error:
            raise IdTokenError(str(error)) from None
        self._check_authorized_party(claims)
        self._check_nonce(claims, nonce)
        return claims

    def _check_authorized_party(self, claims: dict) -> None:
        """Require `azp` to be us when the token names several audiences (OIDC Core 3.1.3.7)."""
        # https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation steps 4-5
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise IdTokenError("the token has several audiences and names another party")
        if "azp" in claims and claims["azp"] != self.client_id:
            raise IdTokenError("the token was issued to another client (azp)")

    @staticmethod
    def _check_nonce(claims: dict, nonce: str | None) -> None:
        """Require the nonce this login sent, which ties the token to this browser's login."""
        # https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
        if nonce is None:
            return
        presented = claims.get("nonce")
        if not isinstance(presented, str) or not hmac.compare_digest(
            presented.encode(), nonce.encode()
        ):
            raise IdTokenError("the nonce does not match the one this login sent")
