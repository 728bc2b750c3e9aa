"""The three endpoints with real access tokens from the live tenant's passwordless grant."""

import jwt
import requests

from tests.constants import API_AUDIENCE
from tests.sample_api.helpers import call


def test_public_endpoint_answers_without_a_token(api):
    response = call(api, "api/public")
    assert response.status_code == 200
    assert "public endpoint" in response.json()["message"]


def test_private_endpoint_answers_a_valid_access_token(api, login):
    # The user logs in with an emailed code and gets an access token for the API.
    token = login.access_token()
    # The API checks it against the tenant's keys and answers.
    response = call(api, "api/private", token)
    assert response.status_code == 200
    assert "private endpoint" in response.json()["message"]


def test_access_token_names_the_api_and_userinfo_as_audiences(login):
    # With `openid` in the scope, Auth0 adds /userinfo to the audience; the API must cope.
    claims = jwt.decode(login.access_token(), options={"verify_signature": False})
    assert API_AUDIENCE in claims["aud"] and len(claims["aud"]) == 2


def test_scoped_endpoint_answers_a_token_with_read_messages(api, login):
    response = call(api, "api/private-scoped", login.access_token("openid read:messages"))
    assert response.status_code == 200
    assert "read:messages" in response.json()["message"]


def test_scoped_endpoint_refuses_a_token_without_the_scope_with_403(api, login):
    # The user logged in without asking for read:messages.
    response = call(api, "api/private-scoped", login.access_token("openid"))
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    # The challenge tells the client which scope to ask for (RFC 6750 section 3.1).
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="sample-api", error="insufficient_scope"')
    assert 'scope="read:messages"' in challenge


def test_token_without_the_scope_still_opens_the_private_endpoint(api, login):
    assert call(api, "api/private", login.access_token("openid")).status_code == 200


def test_token_without_openid_has_the_api_as_its_only_audience_and_works(api, login):
    token = login.access_token("read:messages")
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == API_AUDIENCE
    assert call(api, "api/private-scoped", token).status_code == 200


def test_request_without_a_token_gets_a_bare_challenge(api):
    response = call(api, "api/private")
    assert response.status_code == 401
    # RFC 6750 section 3.1: no credentials, so no error code in the challenge.
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="sample-api"'
    assert response.json()["error_description"]


def test_another_authorization_scheme_counts_as_no_token(api):
    response = call(api, "api/private", Authorization="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="sample-api"'


def test_malformed_authorization_header_is_refused_with_invalid_token(api):
    for header in ("Bearer", "Bearer ", "Bearer two tokens", "Bearer {json}"):
        response = call(api, "api/private", Authorization=header)
        assert response.status_code == 401, header
        assert response.json()["error"] == "invalid_token"
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_garbage_token_is_refused_with_invalid_token(api):
    response = call(api, "api/private", "not-a-jwt")
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "The access token is not a JWT.",
    }
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="sample-api", error="invalid_token", '
        'error_description="The access token is not a JWT."'
    )


def test_id_token_is_refused_because_its_audience_is_the_client(api, login):
    # An ID token is signed by the same key, but it is for the app, not the API.
    id_token = login.tokens()["id_token"]
    response = call(api, "api/private", id_token)
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token is not meant for this API."


def test_opaque_access_token_is_refused(api, login):
    # Without an audience, Auth0 issues an opaque token that only /userinfo understands.
    opaque = login.tokens(scope="openid", audience=None)["access_token"]
    assert opaque.count(".") != 2
    assert call(api, "api/private", opaque).status_code == 401


def test_token_in_the_query_string_is_refused(api, login):
    # Tokens in URLs end up in logs and Referer headers; the API takes the header only.
    token = login.access_token()
    response = call(api, f"api/private?access_token={token}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_unknown_path_and_wrong_method_answer_json(api):
    missing = call(api, "api/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    wrong = requests.post(api.url("api/public"), timeout=10)
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"
