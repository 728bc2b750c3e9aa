"""RS256 signing keys: made once, kept in the database, published as a JWKS without secrets."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from . import key_pool, memo
from .storage import Storage

# The per-request memo's key for the rows of the published keys.
PUBLISHED = "published_keys"
# The per-request memo's key for the tokens signed in this request, with their key ids.
SIGNED = "signed_tokens"


class KeyStore:
    """The tenant's signing keys, with parsed keys and the JWKS document cached in memory."""

    def __init__(self, storage: Storage, issuer: str, clock, publish_retired_for: int):
        self.storage = storage
        self.issuer = issuer
        self.clock = clock
        # A retired key stays in the JWKS until every token it signed has expired
        # (https://auth0.com/docs/get-started/tenant-settings/signing-keys/rotate-signing-keys).
        self.publish_retired_for = publish_retired_for
        self._private_keys: dict[str, rsa.RSAPrivateKey] = {}
        self._jwks_cache: tuple[tuple, bytes] | None = None
        self.ensure_key()

    # Like Auth0, the tenant keeps two live keys: the current one, which signs, and the
    # next one, published in the JWKS before it signs anything, so that clients holding a
    # cached key set already know it when a rotation makes it current.
    # https://auth0.com/docs/get-started/tenant-settings/signing-keys/rotate-signing-keys
    CURRENT_KEY = (
        "SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at LIMIT 1"
    )

    def ensure_key(self) -> None:
        """Create the current and the next signing key if the tenant lacks them."""
        with self.storage.transaction() as db:
            # Inside the write lock, so two processes starting together make one pair.
            self._ensure_two_live_keys(db)

    def rotate(self) -> str:
        """Retire the current key (still published), sign with the next, and return its kid."""
        memo.forget("signing_kid")
        memo.forget(PUBLISHED)
        with self.storage.transaction() as db:
            self._ensure_two_live_keys(db)
            current = db.execute(self.CURRENT_KEY).fetchone()["kid"]
            db.execute(
                "UPDATE signing_keys SET retired_at = ? WHERE kid = ?",
                (self.clock.now(), current),
            )
            self._ensure_two_live_keys(db)
            return db.execute(self.CURRENT_KEY).fetchone()["kid"]

    def sign(self, claims: dict) -> str:
        """Sign claims as a compact RS256 JWT with the current key's `kid` in the header."""
        kid = self._current_kid()
        token = jwt.encode(
            claims, self._private_key(kid), algorithm="RS256", headers={"kid": kid, "typ": "JWT"}
        )
        # Kept until the request ends, so that whoever shows the answer (the flow inspector)
        # knows which key signed it without checking the signature it was just given.
        memo.remembered(SIGNED, dict)[token] = kid
        return token

    def signed_in_this_request(self, token: str) -> str | None:
        """Return the id of the key that signed this token in this request, if this tenant did."""
        return memo.remembered(SIGNED, dict).get(token)

    def _current_kid(self) -> str:
        """Return the key id that signs now, read once per request (another process may rotate)."""
        return memo.remembered(
            "signing_kid", lambda: self.storage.query_one(self.CURRENT_KEY)["kid"]
        )

    def _ensure_two_live_keys(self, db) -> None:
        """Add keys until there is a current one and a next one."""
        live = db.execute("SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL").fetchone()
        for _ in range(2 - live[0]):
            self._insert_new_key(db)

    def jwks_document(self) -> bytes:
        """Return the JSON Web Key Set of published keys, encoded, rebuilt only when keys change."""
        # Read once per request: the inspector checks every token of an answer that this
        # request did not sign against it, and keys change only by a rotation, which forgets it.
        rows = memo.remembered(
            PUBLISHED,
            lambda: self.storage.query(
                "SELECT kid, certificate_pem FROM signing_keys "
                "WHERE retired_at IS NULL OR retired_at > ? ORDER BY created_at DESC",
                (self.clock.now() - self.publish_retired_for,),
            ),
        )
        kids = tuple(row["kid"] for row in rows)
        if self._jwks_cache is None or self._jwks_cache[0] != kids:
            keys = [_public_jwk(row["kid"], row["certificate_pem"]) for row in rows]
            self._jwks_cache = (kids, json.dumps({"keys": keys}).encode())
        return self._jwks_cache[1]

    def _private_key(self, kid: str) -> rsa.RSAPrivateKey:
        """Load a private key once per process (parsing PEM on every signature is slow)."""
        if kid not in self._private_keys:
            row = self.storage.query_one(
                "SELECT private_pem FROM signing_keys WHERE kid = ?", (kid,)
            )
            # A key this tenant generated, kept in its own (0600) database.
            self._private_keys[kid] = key_pool.load_own_key(row["private_pem"].encode())
        return self._private_keys[kid]

    def _insert_new_key(self, db) -> str:
        """Store a new RSA key (from the test pool if one is set) with a self-signed certificate."""
        key = key_pool.new_rsa_key()
        kid = _thumbprint(key.public_key())
        now = datetime.datetime.now(datetime.UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.issuer)])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256())
        )
        db.execute(
            "INSERT INTO signing_keys (kid, private_pem, certificate_pem, created_at) "
            "VALUES (?, ?, ?, ?)",
            (
                kid,
                key_pool.key_pem(key).decode(),
                certificate.public_bytes(serialization.Encoding.PEM).decode(),
                # Microsecond order keeps "newest key" well defined after quick rotations.
                int(now.timestamp() * 1_000_000),
            ),
        )
        self._private_keys[kid] = key
        return kid


def _b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url, as JOSE does."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64url(number: int) -> str:
    """Encode a big integer as JOSE base64urlUInt."""
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def _thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """Compute the RFC 7638 JWK thumbprint, used as the key id."""
    # https://www.rfc-editor.org/rfc/rfc7638#section-3.2 (members sorted, no spaces)
    numbers = public_key.public_numbers()
    canonical = f'{{"e":"{_int_b64url(numbers.e)}","kty":"RSA","n":"{_int_b64url(numbers.n)}"}}'
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _public_jwk(kid: str, certificate_pem: str) -> dict:
    """Describe one public key as Auth0's JWKS does: RSA parameters plus its certificate."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    numbers = certificate.public_key().public_numbers()
    der = certificate.public_bytes(serialization.Encoding.DER)
    # https://www.rfc-editor.org/rfc/rfc7517#section-4 (x5c is standard base64, not base64url)
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": _int_b64url(numbers.n),
        "e": _int_b64url(numbers.e),
        "x5c": [base64.b64encode(der).decode()],
        "x5t": _b64url(hashlib.sha1(der).digest()),  # noqa: S324 (x5t is SHA-1 by definition)
    }
