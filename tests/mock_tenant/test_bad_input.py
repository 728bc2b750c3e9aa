"""Malformed, oversized, wrongly typed or hostile input gets a 4xx in Auth0's shape, never a 500."""

import base64
import json

import pytest
import requests

from tests.constants import NATIVE_CLIENT, OTP_GRANT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import TIMEOUT, assert_error, send_email_code

TEN_MB = b"x" * (10 * 1024 * 1024)

# Strings that break naive code: a lone surrogate, NUL, line breaks, quotes and backslashes
# (which RFC 6749 forbids in error descriptions), look-alike digits, emoji, long and empty.
HOSTILE_STRINGS = [
    "\ud800",
    "\x00",
    "a\r\nSet-Cookie: x=1",
    '"\\',
    "１２３４５６",
    "é🙂",
    "<script>alert(1)</script>",
    "x" * 5000,
    "",
    " ",
]
HOSTILE_VALUES = [*HOSTILE_STRINGS, 0, -1, 1e308, True, [], ["a"], {}, {"a": "b"}]

# A request body per endpoint and grant that would be accepted, to be spoiled one field at a time.
BODIES = {
    "passwordless/start": {
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "connection": "email",
        "email": "fuzz@example.com",
        "send": "link",
        "authParams": {"state": "s", "scope": "openid"},
    },
    "oauth/token#otp": {
        "grant_type": OTP_GRANT,
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "username": "fuzz@example.com",
        "otp": "123456",
        "realm": "email",
        "scope": "openid",
        "audience": "urn:passwordless-demo:api",
    },
    "oauth/token#refresh": {
        "grant_type": "refresh_token",
        "client_id": NATIVE_CLIENT,
        "refresh_token": "abc",
        "scope": "openid",
    },
    "oauth/token#code": {
        "grant_type": "authorization_code",
        "client_id": NATIVE_CLIENT,
        "code": "abc",
        "redirect_uri": "http://127.0.0.1:5000/callback",
        "code_verifier": "v" * 43,
    },
    "oauth/revoke": {
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
        "token": "abc",
        "token_type_hint": "refresh_token",
    },
}
API_ENDPOINTS = ["passwordless/start", "oauth/token", "oauth/revoke", "userinfo"]


def _post(server, path: str, **kwargs) -> requests.Response:
    return requests.post(server.url(path), timeout=TIMEOUT, **kwargs)


def _assert_client_error(response: requests.Response) -> None:
    """Check a 4xx in Auth0's shape: its JSON error, or /userinfo's plain "Unauthorized"."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if response.request.path_url.startswith("/userinfo") and response.status_code == 401:
        assert response.text == "Unauthorized"
        return
    body = response.json()
    assert set(body) == {"error", "error_description"}, body


@pytest.mark.parametrize("path", [*API_ENDPOINTS, "_dev/api/users", "_dev/api/clock"])
def test_a_10_mb_body_is_413_in_auth0s_shape(tenant_server, path):
    response = _post(tenant_server, path, data=TEN_MB, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "request_entity_too_large")


def test_a_10_mb_form_body_is_413(tenant_server):
    response = _post(
        tenant_server,
        "oauth/token",
        data=b"grant_type=" + TEN_MB,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, 413, "request_entity_too_large")


def test_a_body_just_under_the_cap_is_read(tenant_server):
    # 64 KiB is the default cap; a body of 60 kB is still read (and refused for its content).
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "a" * 60_000}
    response = _post(tenant_server, "passwordless/start", json=body)
    assert_error(response, 400, "bad.email")


@pytest.mark.parametrize("path", ["passwordless/start", "oauth/token", "oauth/revoke"])
@pytest.mark.parametrize(
    "raw",
    [b"{", b"{'a': 1}", b'{"a": 1,}', b"\xff\xfe", b"NaN", b'{"a": "\\ud800"', b""],
    ids=["open", "quotes", "trailing-comma", "not-utf8", "nan", "unclosed", "empty"],
)
def test_malformed_json_is_400(tenant_server, path, raw):
    response = _post(tenant_server, path, data=raw, headers={"Content-Type": "application/json"})
    _assert_client_error(response)
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["passwordless/start", "oauth/token", "oauth/revoke"])
@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_400(tenant_server, path, raw):
    response = _post(tenant_server, path, data=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_request")


@pytest.mark.parametrize("path", ["passwordless/start", "oauth/token", "oauth/revoke"])
def test_deeply_nested_json_is_400(tenant_server, path):
    # 30,000 levels fit in the body cap and exhaust a recursive parser.
    for raw in (b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000):
        response = _post(
            tenant_server, path, data=raw, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, "invalid_request")


def test_deeply_nested_auth_params_are_400(tenant_server):
    nested = '{"a":' * 10_000 + '"x"' + "}" * 10_000
    raw = (
        '{"client_id": "demo-native-app", "connection": "email", "email": "n@example.com", '
        f'"send": "link", "authParams": {nested}}}'
    ).encode()
    response = _post(
        tenant_server, "passwordless/start", data=raw, headers={"Content-Type": "application/json"}
    )
    _assert_client_error(response)
    assert tenant_server.outbox() == []


@pytest.mark.parametrize("path", ["nowhere", "oauth", "oauth/token/extra", ".well-known/x", "%00"])
def test_an_unknown_path_is_404_json(tenant_server, path):
    for method in ("GET", "POST"):
        response = requests.request(method, tenant_server.url(path), timeout=TIMEOUT)
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "passwordless/start"),
        ("PUT", "oauth/token"),
        ("GET", "oauth/revoke"),
        ("DELETE", "userinfo"),
    ],
)
def test_a_wrong_method_is_405_json(tenant_server, method, path):
    response = requests.request(method, tenant_server.url(path), timeout=TIMEOUT)
    assert_error(response, 405, "method_not_allowed")


# No throttle or lockout, so that every request reaches as deep into the tenant as it can.
@pytest.mark.tenant_config(
    start_rate_limit_per_hour=100_000, resend_cooldown=0, lockout_after_failures=1_000_000
)
@pytest.mark.parametrize("target", list(BODIES))
def test_hostile_values_in_any_field_never_give_a_500(tenant_server, target):
    path = target.split("#")[0]
    # A real pending code, so the OTP grant gets as far as checking it.
    send_email_code(
        tenant_server, "fuzz@example.com", client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    base = BODIES[target]
    fields = [*base, "authParams.state"] if "authParams" in base else list(base)
    for field in fields:
        for value in HOSTILE_VALUES:
            body = json.loads(json.dumps(base))
            if field == "authParams.state":
                body["authParams"]["state"] = value
            else:
                body[field] = value
            response = _post(tenant_server, path, json=body)
            assert response.status_code < 500, (field, value, response.text)
            if response.status_code != 200:
                _assert_client_error(response)
            # The same fields form-encoded (where the value is a string UTF-8 can carry).
            if isinstance(value, str) and value != "\ud800":
                form = {**body, "authParams": None} if "authParams" in body else body
                response = _post(tenant_server, path, data={k: v for k, v in form.items() if v})
                assert response.status_code < 500, (field, value, response.text)


@pytest.mark.parametrize(
    "raw",
    [b"client_id=%ff%fe&grant_type=refresh_token", b"%%%&&&===", b"a=" + b"%00" * 100, b"\xff"],
)
def test_odd_form_encodings_never_give_a_500(tenant_server, raw):
    for path in ("passwordless/start", "oauth/token", "oauth/revoke"):
        response = _post(
            tenant_server,
            path,
            data=raw,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        _assert_client_error(response)


@pytest.mark.parametrize(
    "authorization",
    [
        b"Basic !!!",
        b"Basic " + base64.b64encode(b"no-colon"),
        b"Basic " + base64.b64encode(b"\xff\xfe:\xff"),
        b"Basic " + base64.b64encode(WEB_CLIENT.encode() + b":\xc3\xa9"),
        b"Basic " + base64.b64encode(b"nobody:secret"),
        b"Bearer abc",
        "Basic ｘ".encode(),
    ],
)
def test_odd_authorization_headers_never_give_a_500(tenant_server, authorization):
    body = {"grant_type": "refresh_token", "refresh_token": "abc"}
    for path in ("oauth/token", "oauth/revoke", "userinfo"):
        response = _post(tenant_server, path, data=body, headers={"Authorization": authorization})
        _assert_client_error(response)


def test_an_unknown_content_type_is_refused_without_a_500(tenant_server):
    for path in ("passwordless/start", "oauth/token", "oauth/revoke"):
        response = _post(
            tenant_server,
            path,
            data=b"\x00\x01binary",
            headers={"Content-Type": "application/octet-stream"},
        )
        _assert_client_error(response)
