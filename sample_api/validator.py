"""Access token validation: the one module that knows JWTs, signing keys and claims.

The API trusts a token only if the tenant's key signed it with RS256, it names the
tenant as issuer and this API as audience, and it has not expired. Everything else
about the token (its header's `alg`, `jku`, `x5u`, `jwk`) is the sender's word and
decides nothing.
"""

from __future__ import annotations

import jwt

# RFC 8725 section 3.1: the verifier picks the algorithm; a token's `alg` never widens the
# list. Pinning RS256 also refuses `alg: none` and HS256 signed with the public key.
# https://www.rfc-editor.org/rfc/rfc8725#section-3.1
ALGORITHMS = ["RS256"]

# RFC 9068 section 2.2 lists the claims every JWT access token carries.
# https://www.rfc-editor.org/rfc/rfc9068#section-2.2
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]

# Clocks on two machines drift a little; 30 seconds forgives that and little else.
LEEWAY_SECONDS = 30

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
        cache_lifespan: float = 600,
        cooldown: float = 30,
    ):
        self.issuer = issuer
        self.audience = audience
        # PyJWKClient keeps the key set for `lifespan` seconds. A token with a `kid` the
        # set lacks makes it fetch again, but at most once per `cooldown_duration`, so a
        # flood of made-up `kid`s costs the tenant one request, not one each.
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
        # RFC 8725 section 3.10: `jku`, `x5u` and an embedded `jwk` are never followed;
        # keys come only from the configured JWKS URL, looked up by `kid`.
        # https://www.rfc-editor.org/rfc/rfc8725#section-3.10
        try:
            return self.jwks.get_signing_key(kid)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:
            # Unreachable tenant, an HTTP error, or an answer that is not a key set (ValueError:
            # not JSON at all). That is the API's problem, not the caller's: 503, not 401.
            raise KeysUnavailableError(str(error)) from error
        except jwt.PyJWKClientError:
            raise InvalidTokenError("The access token was signed with an unknown key.") from None
