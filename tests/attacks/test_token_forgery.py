"""Threat: a forged, altered or misdirected JWT is accepted as an ID token or access token.

RFC 8725 (JWT BCP) sections 2.1 and 3.1 (algorithm confusion, `alg: none`), 3.2 and 3.10
(keys only from the trusted JWKS; `jku`, `x5u`, `jwk` ignored), 3.8 and 3.9 (issuer and
audience); RFC 9068 section 4 (validating JWT access tokens); OpenID Connect Core 3.1.3.7
(ID token validation); RFC 6819 section 5.1.4.1.5 (sign tokens); OWASP JSON Web Token Cheat
Sheet; OWASP ASVS 5.0 V9. docs/security.md rule 14 and the "JWKS never holds d, p, q" example.

Three verifiers stand in the way: the sample API (access tokens), the web app's ID token
check (and its /callback, which must start no session), and the tenant's /userinfo, which
looks tokens up by hash and so accepts nothing it did not issue, however well signed.
"""

import base64
import json
import time

import jwt
import pytest
import requests

from regular_web_app.id_token import IdTokenError, IdTokenValidator
from tests.attacks.helpers import html_text, query_of
from tests.constants import API_AUDIENCE, WEB_CLIENT
from tests.mock_tenant.helpers import login, userinfo
from tests.regular_web_app.conftest import WebAppActions
from tests.sample_api.helpers import call, hs256_with_secret, public_pem, unsigned
from tests.servers import TenantServer, serve


def b64(data: bytes) -> str:
    """Encode as unpadded base64url (JOSE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def with_header(token: str, **changes) -> str:
    """Return a token whose header is changed (the signature no longer covers it)."""
    header_b64, payload_b64, signature = token.split(".")
    header = {**json.loads(base64.urlsafe_b64decode(header_b64 + "==")), **changes}
    return ".".join([b64(json.dumps(header).encode()), payload_b64, signature])


def with_payload(token: str, **changes) -> str:
    """Return a token whose payload is changed and whose old signature is kept."""
    header_b64, payload_b64, signature = token.split(".")
    payload = {**json.loads(base64.urlsafe_b64decode(payload_b64 + "==")), **changes}
    return ".".join([header_b64, b64(json.dumps(payload).encode()), signature])


def access_claims(tenant_server, **changes) -> dict:
    """Return the claims of an access token for the sample API, some changed or removed."""
    now = int(time.time())
    claims = {
        "iss": tenant_server.issuer,
        "sub": "email|forged",
        "aud": [API_AUDIENCE, tenant_server.url("userinfo")],
        "azp": "demo-native-app",
        "iat": now,
        "exp": now + 3600,
        "scope": "openid read:messages",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def jwks(tenant_server) -> dict:
    """Return the key set with only the key that signs now (public: any attacker has it)."""
    keys = requests.get(tenant_server.url(".well-known/jwks.json"), timeout=10).json()["keys"]
    current = signing_kid(tenant_server)
    return {"keys": [key for key in keys if key["kid"] == current]}


@pytest.fixture
def kid(jwks) -> str:
    """Return the tenant's current signing key id."""
    return jwks["keys"][0]["kid"]


def assert_api_refuses(api, token: str) -> None:
    """The sample API answers 401 invalid_token and runs nothing."""
    response = call(api, "api/private", token)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


# ---- the sample API: algorithm and signature -----------------------------------------------


def test_a_real_access_token_is_accepted_so_the_refusals_below_mean_something(api, tenant_server):
    token = login(tenant_server, "ada@example.com", audience=API_AUDIENCE)["access_token"]
    assert call(api, "api/private", token).status_code == 200


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_an_unsigned_alg_none_token_is_refused(api, tenant_server, kid, alg):
    token = unsigned(access_claims(tenant_server), kid)
    assert_api_refuses(api, with_header(token, alg=alg))


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_an_hmac_token_keyed_with_the_tenants_public_key_is_refused(
    api, tenant_server, jwks, kid, alg
):
    # Algorithm confusion: the public key (PEM, or the raw modulus) used as an HMAC secret.
    for secret in (public_pem(jwks["keys"][0]), jwks["keys"][0]["n"].encode()):
        token = hs256_with_secret(access_claims(tenant_server), kid, secret)
        assert_api_refuses(api, with_header(token, alg=alg))


def test_a_token_with_its_signature_stripped_is_refused(api, tenant_server):
    token = tenant_server.tenant.keys.sign(access_claims(tenant_server))
    assert_api_refuses(api, token.rsplit(".", 1)[0] + ".")
    assert_api_refuses(api, token.rsplit(".", 1)[0])


def test_a_real_token_with_an_altered_payload_is_refused(api, tenant_server):
    token = login(tenant_server, "ada@example.com", audience=API_AUDIENCE, scope="openid")[
        "access_token"
    ]
    # Scope escalation by editing the payload: the signature no longer matches.
    assert_api_refuses(api, with_payload(token, scope="openid read:messages"))


def test_a_token_signed_with_the_attackers_key_under_the_tenants_kid_is_refused(
    api, tenant_server, kid, test_key
):
    token = jwt.encode(access_claims(tenant_server), test_key, "RS256", headers={"kid": kid})
    assert_api_refuses(api, token)


@pytest.mark.parametrize(
    "bad_kid",
    [
        "unknown-key",
        "../../../../../../dev/null",
        "/etc/passwd",
        "' OR '1'='1' --",
        "x'; DROP TABLE signing_keys; --",
        "kid\x00",
        "k" * 5000,
        "",
        0,
        ["a"],
        None,
    ],
)
def test_a_token_with_a_made_up_or_injected_kid_is_refused(api, tenant_server, test_key, bad_kid):
    # Built by hand: PyJWT will not even write a kid that is not a string.
    token = jwt.encode(access_claims(tenant_server), test_key, "RS256", headers={"kid": "k"})
    assert_api_refuses(api, with_header(token, kid=bad_kid))


def test_many_made_up_kids_cost_the_tenant_one_jwks_fetch(
    api, tenant_server, test_key, tenant_calls
):
    for n in range(20):
        token = jwt.encode(
            access_claims(tenant_server), test_key, "RS256", headers={"kid": f"made-up-{n}"}
        )
        assert_api_refuses(api, token)
    # The first lookup fills the cache; made-up kids refetch at most once per cooldown.
    assert tenant_calls.count("GET /.well-known/jwks.json") <= 2


@pytest.mark.parametrize("header", ["jku", "x5u"])
def test_a_key_url_in_the_token_header_is_never_fetched_or_trusted(
    api, tenant_server, fake_tenant, header
):
    # The attacker publishes their own JWKS and points the token at it.
    token = jwt.encode(
        access_claims(tenant_server),
        fake_tenant.key,
        "RS256",
        headers={"kid": fake_tenant.kid, header: fake_tenant.url(".well-known/jwks.json")},
    )
    assert_api_refuses(api, token)
    assert fake_tenant.jwks_fetches == 0


def test_a_key_embedded_in_the_token_header_is_not_trusted(api, tenant_server, kid, test_key):
    embedded = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(test_key.public_key()))
    token = jwt.encode(
        access_claims(tenant_server), test_key, "RS256", headers={"kid": kid, "jwk": embedded}
    )
    assert_api_refuses(api, token)


# ---- the sample API: claims (signed with the tenant's real key, so only the claim is wrong)


@pytest.mark.parametrize(
    "changes",
    [
        # Ids without the times: a test id must not change between runs (--deselect, --lf).
        pytest.param({"exp": int(time.time()) - 3600}, id="exp=an hour ago"),
        pytest.param(
            {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200},
            id="iat=in an hour,exp=in two hours",
        ),
        pytest.param({"nbf": int(time.time()) + 3600}, id="nbf=in an hour"),
        {"iss": "https://evil.test/"},
        {"iss": "http://127.0.0.1/"},
        {"aud": "urn:another-api"},
        {"aud": [WEB_CLIENT]},
        {"aud": None},
        {"iss": None},
        {"exp": None},
        {"sub": None},
        {"iat": None},
        {"exp": "never"},
    ],
    ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()),
)
def test_a_tenant_signed_token_with_a_wrong_claim_is_refused(api, tenant_server, changes):
    token = tenant_server.tenant.keys.sign(access_claims(tenant_server, **changes))
    assert_api_refuses(api, token)


def test_the_issuer_without_its_trailing_slash_is_refused(api, tenant_server):
    claims = access_claims(tenant_server, iss=tenant_server.issuer.rstrip("/"))
    assert_api_refuses(api, tenant_server.tenant.keys.sign(claims))


def test_an_id_token_is_refused_as_an_access_token(api, tenant_server):
    # Its audience is the client id, not the API (token substitution).
    id_token = login(tenant_server, "ada@example.com")["id_token"]
    assert_api_refuses(api, id_token)


def test_an_opaque_access_token_is_refused_by_the_api(api, tenant_server):
    opaque = login(tenant_server, "ada@example.com")["access_token"]
    assert_api_refuses(api, opaque)


# ---- key rotation --------------------------------------------------------------------------


def signing_kid(tenant_server) -> str:
    """Return the kid the tenant signs with right now (the JWKS may also list the next key)."""
    return jwt.get_unverified_header(tenant_server.tenant.keys.sign({}))["kid"]


def published_kids(tenant_server) -> list[str]:
    """Return the key ids in the tenant's JWKS."""
    keys = requests.get(tenant_server.url(".well-known/jwks.json"), timeout=10).json()["keys"]
    return [key["kid"] for key in keys]


# A tenant of their own: a rotation outlives the shared tenant's reset.
@pytest.mark.tenant_config()
def test_the_jwks_never_publishes_a_private_key_parameter(tenant_server):
    tenant_server.tenant.keys.rotate()
    keys = requests.get(tenant_server.url(".well-known/jwks.json"), timeout=10).json()["keys"]
    assert len(keys) >= 2
    for key in keys:
        assert not {"d", "p", "q", "dp", "dq", "qi", "oth", "k"} & set(key)
        assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")


@pytest.mark.tenant_config()
def test_a_token_from_a_rotated_out_key_works_until_its_tokens_expire_then_never(
    start_api, tenant_server
):
    old_kid = signing_kid(tenant_server)
    tenant_server.tenant.keys.rotate()
    assert signing_kid(tenant_server) != old_kid
    # A token the old key signed (minted just before the rotation, or by someone who later
    # stole the retired key) still passes while the old key is published...
    token = jwt.encode(
        access_claims(tenant_server),
        tenant_server.tenant.keys._private_key(old_kid),
        "RS256",
        headers={"kid": old_kid, "typ": "JWT"},
    )
    assert old_kid in published_kids(tenant_server)
    api = start_api(AUTH0_DOMAIN=tenant_server.base_url)
    assert call(api, "api/private", token).status_code == 200
    # ...and once every token it could have signed has expired, the key leaves the JWKS,
    # and a verifier with a fresh key cache refuses what it signed.
    tenant_server.advance_clock(86400 + 1)
    assert old_kid not in published_kids(tenant_server)
    assert_api_refuses(start_api(AUTH0_DOMAIN=tenant_server.base_url), token)


# ---- the tenant: /userinfo accepts only what it issued ------------------------------------


def test_userinfo_refuses_a_well_signed_jwt_it_never_issued(tenant_server):
    # Signed with the tenant's own key, valid in every claim, but never issued: /userinfo
    # looks access tokens up by hash, so signatures alone buy nothing there.
    token = tenant_server.tenant.keys.sign(access_claims(tenant_server, sub="email|someone"))
    assert userinfo(tenant_server, token).status_code == 401


def test_userinfo_refuses_an_unsigned_copy_of_a_real_token(tenant_server, kid):
    real = login(tenant_server, "ada@example.com", audience=API_AUDIENCE)["access_token"]
    assert userinfo(tenant_server, real).status_code == 200
    payload = jwt.decode(real, options={"verify_signature": False})
    assert userinfo(tenant_server, unsigned(payload, kid)).status_code == 401


# ---- the web app: ID tokens ----------------------------------------------------------------


@pytest.fixture
def validator(tenant_server) -> IdTokenValidator:
    """Return the web app's ID token check, for the live tenant and the web app."""
    return IdTokenValidator(
        issuer=tenant_server.issuer,
        client_id=WEB_CLIENT,
        jwks_uri=tenant_server.url(".well-known/jwks.json"),
    )


def id_claims(tenant_server, **changes) -> dict:
    """Return the claims of an ID token for the web app, some changed or removed (None)."""
    now = int(time.time())
    claims = {
        "iss": tenant_server.issuer,
        "sub": "email|forged",
        "aud": WEB_CLIENT,
        "iat": now,
        "exp": now + 3600,
        "nonce": "the-nonce",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.test/"},
        {"aud": "demo-native-app"},
        {"aud": ["demo-native-app", WEB_CLIENT]},
        {"azp": "demo-native-app"},
        {"sub": None},
        pytest.param({"exp": int(time.time()) - 3600}, id="exp=an hour ago"),
        {"nonce": "another-nonce"},
        {"nonce": None},
    ],
    ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()),
)
def test_the_web_app_refuses_a_tenant_signed_id_token_with_a_wrong_claim(
    validator, tenant_server, changes
):
    token = tenant_server.tenant.keys.sign(id_claims(tenant_server, **changes))
    with pytest.raises(IdTokenError):
        validator.validate(token, nonce="the-nonce")


def test_the_web_app_refuses_forged_id_tokens(validator, tenant_server, jwks, kid, test_key):
    claims = id_claims(tenant_server)
    forgeries = [
        unsigned(claims, kid),
        hs256_with_secret(claims, kid, public_pem(jwks["keys"][0])),
        jwt.encode(claims, test_key, "RS256", headers={"kid": kid}),
        tenant_server.tenant.keys.sign(claims).rsplit(".", 1)[0] + ".",
        with_payload(tenant_server.tenant.keys.sign(claims), sub="email|admin"),
        jwt.encode(claims, test_key, "RS256", headers={"kid": "../../etc/passwd"}),
    ]
    for forged in forgeries:
        with pytest.raises(IdTokenError):
            validator.validate(forged, nonce="the-nonce")


def test_the_web_app_never_fetches_a_key_url_named_in_an_id_token(
    validator, tenant_server, fake_tenant
):
    for header in ("jku", "x5u"):
        token = jwt.encode(
            id_claims(tenant_server),
            fake_tenant.key,
            "RS256",
            headers={"kid": fake_tenant.kid, header: fake_tenant.url(".well-known/jwks.json")},
        )
        with pytest.raises(IdTokenError):
            validator.validate(token, nonce="the-nonce")
    assert fake_tenant.jwks_fetches == 0


FORGERIES = {
    "wrong iss": lambda t, c, k: t.keys.sign({**c, "iss": "https://evil.test/"}),
    "wrong aud": lambda t, c, k: t.keys.sign({**c, "aud": "demo-native-app"}),
    "missing sub": lambda t, c, k: t.keys.sign({n: v for n, v in c.items() if n != "sub"}),
    "bad signature": lambda t, c, k: with_payload(t.keys.sign(c), sub="email|admin"),
    "alg none": lambda t, c, k: unsigned(c, k["kid"]),
    "HS256 with the public key": lambda t, c, k: hs256_with_secret(c, k["kid"], public_pem(k)),
    "expired": lambda t, c, k: t.keys.sign({**c, "iat": c["iat"] - 7200, "exp": c["iat"] - 3600}),
    "wrong nonce": lambda t, c, k: t.keys.sign({**c, "nonce": "not-this-logins-nonce"}),
}


class ForgingGateway:
    """Sit in front of a real tenant and swap the ID token in its token response for a forgery."""

    def __init__(self, tenant_app):
        self.tenant_app = tenant_app
        self.forge = None

    def __call__(self, environ, start_response):
        """Pass every request on; rewrite the ID token of a successful token response."""
        if environ["PATH_INFO"] != "/oauth/token" or self.forge is None:
            return self.tenant_app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)

        body = json.loads(b"".join(self.tenant_app(environ, capture)))
        if "id_token" in body:
            tenant = self.tenant_app.extensions["mock_tenant"]
            real = jwt.decode(body["id_token"], options={"verify_signature": False})
            # The published key that signed the real token: its public half is the "secret".
            jwk = next(
                k
                for k in json.loads(tenant.keys.jwks_document())["keys"]
                if k["kid"] == jwt.get_unverified_header(body["id_token"])["kid"]
            )
            body["id_token"] = self.forge(tenant, real, jwk)
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]


@pytest.fixture(scope="module")
def forging_tenant(tmp_path_factory):
    """Run one tenant behind a ForgingGateway for this module (`.app` is the gateway)."""
    from mock_tenant import create_app, load_config

    def make_app(base_url):
        data_dir = tmp_path_factory.mktemp("forging-tenant")
        return ForgingGateway(create_app(load_config(issuer=base_url + "/", data_dir=data_dir)))

    with serve(make_app) as live:
        yield TenantServer(live.base_url, live.app)


@pytest.mark.parametrize("forgery", FORGERIES)
def test_the_web_app_starts_no_session_on_a_forged_id_token(make_web_app, forging_tenant, forgery):
    # docs/security.md example (web app): each of these ID tokens is rejected and no session
    # starts, even though it arrives over the token endpoint's back channel.
    forging_tenant.reset()
    forging_tenant.app.forge = FORGERIES[forgery]
    try:
        web_app = make_web_app(AUTH0_DOMAIN=forging_tenant.base_url)
        auth = WebAppActions(web_app.test_client(), forging_tenant)
        callback = auth.callback_url()
        assert "code" in query_of(callback)
        response = auth.client.get(callback)
    finally:
        forging_tenant.app.forge = None
    assert response.status_code == 400
    assert "We could not verify your login" in html_text(response)
    assert "user" not in auth.session()
    assert "Hello" not in auth.client.get("/").text
