"""Access token validation: the one module that knows JWTs, signing keys and claims.

The API trusts a token only if the tenant's key signed it with RS256, it names the
tenant as issuer and this API as audience, and it has not expired. Everything else
about the token (its header's `alg`, `jku`, `x5u`, `jwk`) is the sender's word and
decides nothing.
"""

from __future__ import annotations

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

# A tenant that does not answer within this time counts as down (503), not as slow.
JWKS_TIMEOUT_SECONDS = 5


class InvalidTokenError(Exception):
    """The bearer token is not a valid access token for this API (401 `invalid_token`)."""


class KeysUnavailableError(Exception):
    """The tenant's signing keys cannot be fetched, so no token can be checked (503)."""


class AccessTokenValidator:
    """Check JWT access tokens against one tenant's signing keys, issuer and this API's audience."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        cache_lifespan: float = JWKS_LIFESPAN_SECONDS,
        cooldown: float = JWKS_COOLDOWN_SECONDS,
    ):
        self.issuer = issuer
        self.audience = audience
        # Keys come only from this URL, the configured tenant's key set. A token's own `jku`,
        # `x5u` or `jwk` header would let its sender pick the key that verifies it, so
        # nothing here reads them: PyJWKClient looks at `kid` alone.
        # https://www.rfc-editor.org/rfc/rfc8725#section-3.10
        self.jwks = jwt.PyJWKClient(
            jwks_url,
            cache_jwk_set=True,
            lifespan=cache_lifespan,
            cooldown_duration=cooldown,
            timeout=JWKS_TIMEOUT_SECONDS,
        )

    def validate(self, token: str) -> dict:
        """Return the claims of a valid access token, or raise InvalidTokenError.

        Raises:
            InvalidTokenError: the token is malformed, forged, expired or not for this API.
            KeysUnavailableError: the tenant's JWKS cannot be fetched right now.

        """
        key = self._signing_key(token)
        try:
            # https://www.rfc-editor.org/rfc/rfc9068#section-4 (validating JWT access tokens)
            return jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                # RFC 9068 section 4: `aud` must name this API. It is also what refuses an
                # ID token, whose audience is the client id (both have `typ: JWT` at Auth0).
                audience=self.audience,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        # The descriptions are fixed strings: nothing from the token is echoed back.
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("The access token has expired.") from None
        except jwt.InvalidAudienceError:
            raise InvalidTokenError("The access token is not meant for this API.") from None
        except jwt.InvalidIssuerError:
            raise InvalidTokenError("The access token comes from another issuer.") from None
        except jwt.MissingRequiredClaimError:
            raise InvalidTokenError("The access token lacks a required claim.") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("The access token is invalid.") from None

    def _signing_key(self, token: str) -> jwt.PyJWK:
        """Find the tenant key named by the token's `kid`, looking only in the tenant's JWKS."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            # Opaque tokens (Auth0 issues them when no audience was asked for) land here too.
            raise InvalidTokenError("The access token is not a JWT.") from None
        # Refuse a foreign algorithm before any network request (RFC 8725 section 3.1).
        if header.get("alg") not in ALGORITHMS:
            raise InvalidTokenError("The access token is not signed with RS256.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidTokenError("The access token names no signing key.")
        try:
            return self.jwks.get_signing_key(kid)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:
            # Unreachable tenant, an HTTP error, or an answer that is not a key set (ValueError:
            # not JSON at all). That is the API's problem, not the caller's: 503, not 401.
            raise KeysUnavailableError(str(error)) from error
        except jwt.PyJWKClientError:
            raise InvalidTokenError("The access token was signed with an unknown key.") from None
