"""Tokens a forger makes: each one must be refused, and a correct one from a known key accepted.

Two kinds of tenant stand behind the API here. Against the live tenant, the forger knows
only public things (the key id, the public key). Against a fake tenant whose JWKS holds the
test key, the test can sign anything, so each claim check is tested on its own.
"""

import time

import jwt
import pytest

from tests.constants import API_AUDIENCE, NATIVE_CLIENT
from tests.sample_api.helpers import call, hs256_with_secret, public_jwk, public_pem, unsigned


@pytest.fixture
def forged_claims(tenant_server):
    """Return claims a real access token from the live tenant would carry."""
    now = int(time.time())
    return {
        "iss": tenant_server.issuer,
        "sub": "email|forged",
        "aud": API_AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "scope": "read:messages",
    }


@pytest.fixture
def tenant_kid(tenant_jwks):
    """Return the live tenant's current key id (published, so no secret)."""
    return tenant_jwks["keys"][0]["kid"]


def test_token_signed_with_another_key_under_the_tenants_kid_is_refused(
    api, test_key, tenant_kid, forged_claims
):
    # The forger copies the tenant's kid but can only sign with a key of their own.
    token = jwt.encode(forged_claims, test_key, algorithm="RS256", headers={"kid": tenant_kid})
    response = call(api, "api/private", token)
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token is invalid."


def test_unsigned_alg_none_token_is_refused(api, tenant_kid, forged_claims):
    response = call(api, "api/private", unsigned(forged_claims, tenant_kid))
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token is not signed with RS256."


def test_hs256_token_keyed_with_the_tenants_public_key_is_refused(
    api, tenant_jwks, tenant_kid, forged_claims
):
    # The classic confusion attack: HMAC with the public key PEM as the shared secret.
    secret = public_pem(tenant_jwks["keys"][0])
    response = call(api, "api/private", hs256_with_secret(forged_claims, tenant_kid, secret))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_keys_named_in_the_token_header_are_never_fetched_or_used(
    api, fake_tenant, test_key, forged_claims
):
    # The forger publishes their own JWKS and points at it with `jku`, and embeds the key too.
    headers = {
        "kid": fake_tenant.kid,
        "jku": fake_tenant.url(".well-known/jwks.json"),
        "x5u": fake_tenant.url("cert.pem"),
        "jwk": public_jwk(test_key, fake_tenant.kid),
    }
    token = jwt.encode(forged_claims, test_key, algorithm="RS256", headers=headers)
    response = call(api, "api/private", token)
    assert response.status_code == 401
    # The API looked only at the tenant's JWKS: the forger's server saw no request.
    assert fake_tenant.jwks_fetches == 0


@pytest.fixture
def fake_api(start_api, fake_tenant):
    """Run the API trusting the fake tenant, whose key the tests hold."""
    return start_api(AUTH0_DOMAIN=fake_tenant.base_url)


def test_well_formed_token_from_the_trusted_keys_is_accepted(fake_api, fake_tenant):
    # The control case: everything right, so each refusal below has one cause.
    assert call(fake_api, "api/private-scoped", fake_tenant.mint()).status_code == 200


def test_expired_token_is_refused(fake_api, fake_tenant):
    an_hour_ago = int(time.time()) - 3600
    token = fake_tenant.mint(iat=an_hour_ago - 60, exp=an_hour_ago)
    response = call(fake_api, "api/private", token)
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token has expired."
    challenge = response.headers["WWW-Authenticate"]
    assert 'error_description="The access token has expired."' in challenge


@pytest.mark.parametrize("seconds", [45, -45])
def test_clock_difference_within_the_minute_of_leeway_is_forgiven(fake_api, fake_tenant, seconds):
    # The tenant's clock runs 45 s ahead of ours (iat in our future), or behind (exp just past).
    now = int(time.time())
    changes = {"iat": now + seconds} if seconds > 0 else {"iat": now - 600, "exp": now + seconds}
    assert call(fake_api, "api/private", fake_tenant.mint(**changes)).status_code == 200


@pytest.mark.parametrize("seconds", [90, -90])
def test_clock_difference_beyond_the_minute_of_leeway_is_refused(fake_api, fake_tenant, seconds):
    now = int(time.time())
    changes = {"iat": now + seconds} if seconds > 0 else {"iat": now - 600, "exp": now + seconds}
    assert call(fake_api, "api/private", fake_tenant.mint(**changes)).status_code == 401


def test_token_from_another_issuer_is_refused(fake_api, fake_tenant):
    token = fake_tenant.mint(iss="https://evil.example.com/")
    response = call(fake_api, "api/private", token)
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token comes from another issuer."


def test_issuer_without_the_trailing_slash_is_refused(fake_api, fake_tenant):
    # Auth0's issuer ends in "/"; the comparison is exact, string for string.
    token = fake_tenant.mint(iss=fake_tenant.base_url)
    assert call(fake_api, "api/private", token).status_code == 401


@pytest.mark.parametrize("audience", ["urn:another:api", NATIVE_CLIENT, ["urn:another:api"]])
def test_token_for_another_audience_is_refused(fake_api, fake_tenant, audience):
    response = call(fake_api, "api/private", fake_tenant.mint(aud=audience))
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token is not meant for this API."


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
def test_token_missing_a_required_claim_is_refused(fake_api, fake_tenant, claim):
    response = call(fake_api, "api/private", fake_tenant.mint(**{claim: None}))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_token_with_a_non_string_subject_is_refused(fake_api, fake_tenant):
    assert call(fake_api, "api/private", fake_tenant.mint(sub=42)).status_code == 401


def test_token_without_a_kid_is_refused(fake_api, fake_tenant):
    token = jwt.encode(fake_tenant.claims(), fake_tenant.key, algorithm="RS256")
    response = call(fake_api, "api/private", token)
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token names no signing key."


def test_rbac_permissions_claim_grants_the_scope(fake_api, fake_tenant):
    # Auth0 RBAC puts permissions in their own claim; the API accepts either place.
    token = fake_tenant.mint(scope="openid", permissions=["read:messages"])
    assert call(fake_api, "api/private-scoped", token).status_code == 200


@pytest.mark.parametrize(
    "scope_claims",
    [
        {"scope": "read:messages:all"},
        {"scope": "openid READ:MESSAGES"},
        {"scope": ["read:messages"]},
        {"scope": None, "permissions": "read:messages"},
    ],
)
def test_scope_must_be_an_exact_entry_of_the_right_type(fake_api, fake_tenant, scope_claims):
    token = fake_tenant.mint(**scope_claims)
    assert call(fake_api, "api/private-scoped", token).status_code == 403
