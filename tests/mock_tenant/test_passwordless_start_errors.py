"""Every `/passwordless/start` error row of auth0-wire.md, with Auth0's codes and messages."""

import pytest

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import assert_error, start

EMAIL = {
    "client_id": NATIVE_CLIENT,
    "connection": "email",
    "email": "e@example.com",
    "send": "code",
}
SMS = {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550100"}


def _without(body: dict, field: str) -> dict:
    return {k: v for k, v in body.items() if k != field}


def test_missing_client_id_is_bad_client_id(tenant_server):
    assert_error(
        start(tenant_server, _without(EMAIL, "client_id")),
        400,
        "bad.client_id",
        "Missing required property: client_id",
    )


def test_unknown_client_id_is_bad_client_id(tenant_server):
    assert_error(start(tenant_server, {**EMAIL, "client_id": "nobody"}), 400, "bad.client_id")


def test_missing_connection_is_bad_connection(tenant_server):
    assert_error(
        start(tenant_server, _without(EMAIL, "connection")),
        400,
        "bad.connection",
        "Missing required property: connection",
    )


def test_unknown_connection_is_bad_connection(tenant_server):
    assert_error(
        start(tenant_server, {**EMAIL, "connection": "github"}),
        400,
        "bad.connection",
        "Connection does not exist",
    )


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-email",
        "a@",
        "@example.com",
        "a b@example.com",
        "ä@example.com",
        "a@exa mple.com",
    ],
)
def test_a_bad_email_is_bad_email(tenant_server, email):
    assert_error(start(tenant_server, {**EMAIL, "email": email}), 400, "bad.email")


def test_missing_email_is_bad_email(tenant_server):
    assert_error(start(tenant_server, _without(EMAIL, "email")), 400, "bad.email")


@pytest.mark.parametrize(
    "phone_number",
    ["15555550100", "+1 555 555 0100", "+1555555010012345", "+", "+1555\n", "+１５５５"],
)
def test_a_bad_phone_number_is_bad_phone_number(tenant_server, phone_number):
    assert_error(
        start(tenant_server, {**SMS, "phone_number": phone_number}),
        400,
        "bad.phone_number",
        r"String does not match pattern: ^\+[0-9]{1,15}$",
    )


def test_missing_phone_number_is_bad_phone_number(tenant_server):
    assert_error(start(tenant_server, _without(SMS, "phone_number")), 400, "bad.phone_number")


def test_auth_params_that_are_not_an_object_are_bad_auth_params(tenant_server):
    response = start(tenant_server, {**EMAIL, "send": "link", "authParams": "scope=openid"})
    assert_error(response, 400, "bad.authParams")


def test_unknown_auth_params_are_bad_auth_params(tenant_server):
    response = start(tenant_server, {**EMAIL, "send": "link", "authParams": {"prompt": "none"}})
    assert_error(
        response, 400, "bad.authParams", "the following properties are not allowed: prompt"
    )


@pytest.mark.parametrize("field", ["email", "client_id", "connection", "send"])
@pytest.mark.parametrize("value", [123, True, ["a@example.com"], {"a": "b"}])
def test_fields_of_the_wrong_type_are_refused(tenant_server, field, value):
    # Auth0's code for a wrongly typed field is not confirmed; the tenant says invalid_request.
    assert_error(start(tenant_server, {**EMAIL, field: value}), 400, "invalid_request")


def test_auth_params_values_must_be_strings(tenant_server):
    response = start(tenant_server, {**EMAIL, "send": "link", "authParams": {"state": {"a": "b"}}})
    assert_error(response, 400, "invalid_request")
    assert tenant_server.outbox() == []


def test_unknown_properties_are_bad_request(tenant_server):
    assert_error(
        start(tenant_server, {**EMAIL, "password": "x", "admin": "1"}),
        400,
        "bad.request",
        "the following properties are not allowed: admin, password",
    )


def test_send_must_be_code_or_link(tenant_server):
    assert_error(start(tenant_server, {**EMAIL, "send": "pigeon"}), 400, "bad.request")
    # SMS connections send codes only.
    assert_error(start(tenant_server, {**SMS, "send": "link"}), 400, "bad.request")


def test_no_error_sends_anything(tenant_server):
    # After every kind of refusal above, the outbox is still empty.
    start(tenant_server, {**EMAIL, "connection": "github"})
    start(tenant_server, {**SMS, "phone_number": "555"})
    start(tenant_server, {**EMAIL, "send": "pigeon"})
    assert tenant_server.outbox() == []
