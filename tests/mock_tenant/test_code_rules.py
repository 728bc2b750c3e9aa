"""One-time codes follow security-bar.md: short-lived, few tries, newest only, throttled, hashed."""

import hashlib
import hmac
import re

import pytest
import requests

from tests.constants import EXPIRED, NATIVE_CLIENT, TOO_MANY, WEB_CLIENT, WEB_SECRET, WRONG_EMAIL
from tests.mock_tenant.helpers import (
    TIMEOUT,
    assert_error,
    freeze_clock,
    otp_token,
    send_email_code,
    start,
    token,
    wrong_code,
)


def _code_row(server, identifier: str, connection: str = "email"):
    """Return the stored code row for an identifier, straight from the tenant's database."""
    return server.tenant.storage.query_one(
        "SELECT * FROM otp_codes WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    )


def _failures(server, identifier: str, connection: str = "email") -> int:
    """Return the identifier's count of wrong codes in a row."""
    row = server.tenant.storage.query_one(
        "SELECT failures FROM identifier_state WHERE connection = ? AND identifier = ?",
        (connection, identifier),
    )
    return row["failures"] if row else 0


def test_a_code_is_six_ascii_digits(tenant_server):
    # Several codes, so a lucky shape cannot pass by chance.
    for n in range(5):
        code = send_email_code(tenant_server, f"digits{n}@example.com")
        assert re.fullmatch(r"[0-9]{6}", code), code


def test_a_code_works_until_its_lifetime_ends(tenant_server):
    # A frozen clock, so that no real second slips in between the steps.
    freeze_clock(tenant_server)
    code = send_email_code(tenant_server, "lifetime@example.com")
    # One second before the end of the 180-second lifetime, the code still works.
    tenant_server.advance_clock(179)
    assert otp_token(tenant_server, "lifetime@example.com", code).status_code == 200


def test_expired_code_is_refused(tenant_server):
    code = send_email_code(tenant_server, "expired@example.com")
    tenant_server.advance_clock(180)
    assert_error(
        otp_token(tenant_server, "expired@example.com", code), 403, "invalid_grant", EXPIRED
    )
    # And it stays refused: an expired code is gone, not revived by asking again.
    assert_error(
        otp_token(tenant_server, "expired@example.com", code), 403, "invalid_grant", WRONG_EMAIL
    )


@pytest.mark.tenant_config(otp_lifetime=600)
def test_the_code_lifetime_is_a_setting(tenant_server):
    freeze_clock(tenant_server)
    code = send_email_code(tenant_server, "long@example.com")
    tenant_server.advance_clock(599)
    assert otp_token(tenant_server, "long@example.com", code).status_code == 200


def test_three_wrong_codes_then_the_right_one_are_all_refused(tenant_server):
    code = send_email_code(tenant_server, "three@example.com")
    for _ in range(3):
        assert_error(
            otp_token(tenant_server, "three@example.com", wrong_code(code)),
            403,
            "invalid_grant",
            WRONG_EMAIL,
        )
    assert_error(
        otp_token(tenant_server, "three@example.com", code), 403, "invalid_grant", TOO_MANY
    )


def test_two_wrong_codes_then_the_right_one_succeed(tenant_server):
    code = send_email_code(tenant_server, "two@example.com")
    for _ in range(2):
        assert otp_token(tenant_server, "two@example.com", wrong_code(code)).status_code == 403
    assert otp_token(tenant_server, "two@example.com", code).status_code == 200


def test_the_right_code_twice_is_refused_the_second_time(tenant_server):
    code = send_email_code(tenant_server, "twice@example.com")
    assert otp_token(tenant_server, "twice@example.com", code).status_code == 200
    assert_error(
        otp_token(tenant_server, "twice@example.com", code), 403, "invalid_grant", WRONG_EMAIL
    )


def test_an_old_code_after_a_resend_is_refused(tenant_server):
    old = send_email_code(tenant_server, "resend@example.com")
    # Wait out the resend cooldown on the tenant's clock, then ask again.
    tenant_server.advance_clock(30)
    new = send_email_code(tenant_server, "resend@example.com")
    if new == old:
        pytest.skip("the tenant drew the same six digits twice (one chance in a million)")
    assert_error(
        otp_token(tenant_server, "resend@example.com", old), 403, "invalid_grant", WRONG_EMAIL
    )
    # The newest code still works.
    assert otp_token(tenant_server, "resend@example.com", new).status_code == 200


def test_a_code_asked_by_one_client_is_refused_to_another(tenant_server):
    # The native app asks for the code; the web app tries to redeem it.
    code = send_email_code(tenant_server, "bound@example.com", client_id=NATIVE_CLIENT)
    response = otp_token(
        tenant_server, "bound@example.com", code, client_id=WEB_CLIENT, client_secret=WEB_SECRET
    )
    assert_error(response, 403, "invalid_grant", WRONG_EMAIL)


@pytest.mark.tenant_config(profile="hardened", resend_cooldown=0)
def test_an_identifier_is_locked_after_ten_failures_in_a_row_across_codes(tenant_server):
    email = "locked@example.com"
    # Three codes, three wrong tries each: nine failures in a row.
    for _ in range(3):
        code = send_email_code(tenant_server, email)
        for _ in range(3):
            assert otp_token(tenant_server, email, wrong_code(code)).status_code == 403
    # A fourth code: the tenth failure locks the identifier...
    code = send_email_code(tenant_server, email)
    assert otp_token(tenant_server, email, wrong_code(code)).status_code == 403
    # ...so even the right code is refused now.
    assert_error(otp_token(tenant_server, email, code), 429, "too_many_attempts")
    # A fresh code does not unlock it either.
    code = send_email_code(tenant_server, email)
    assert_error(otp_token(tenant_server, email, code), 429, "too_many_attempts")
    # After the 15-minute lockout, a new code works again.
    tenant_server.advance_clock(900)
    code = send_email_code(tenant_server, email)
    assert otp_token(tenant_server, email, code).status_code == 200


@pytest.mark.tenant_config(resend_cooldown=0)
def test_a_success_resets_the_count_of_failures_in_a_row(tenant_server):
    email = "streak@example.com"
    for _ in range(3):
        code = send_email_code(tenant_server, email)
        for _ in range(2):
            otp_token(tenant_server, email, wrong_code(code))
        # Two wrong, then right: the streak is broken each time.
        assert otp_token(tenant_server, email, code).status_code == 200
    assert _failures(tenant_server, email) == 0


@pytest.mark.tenant_config(profile="hardened")
def test_a_resend_inside_the_cooldown_is_429_with_retry_after(tenant_server):
    freeze_clock(tenant_server)
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "cool@example.com",
        "send": "code",
    }
    assert start(tenant_server, body).status_code == 200
    # Ten seconds later the 30-second cooldown has 20 seconds to go.
    tenant_server.advance_clock(10)
    response = start(tenant_server, body)
    assert_error(response, 429, "too_many_requests")
    assert response.headers["Retry-After"] == "20"
    assert len(tenant_server.outbox("cool@example.com")) == 1
    # Once the cooldown is over, a new code is sent.
    tenant_server.advance_clock(20)
    assert start(tenant_server, body).status_code == 200
    assert len(tenant_server.outbox("cool@example.com")) == 2


@pytest.mark.tenant_config(start_rate_limit_per_hour=3)
def test_passwordless_start_is_rate_limited_per_ip_with_auth0s_headers(tenant_server):
    def ask(n):
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": f"ip{n}@example.com"}
        return start(tenant_server, {**body, "send": "code"})

    # A frozen clock: the hour's window opens at the first request, to the second.
    now = freeze_clock(tenant_server)
    # Three requests from one address fit in the hour, counting down the remaining ones.
    for n, remaining in enumerate(["2", "1", "0"]):
        response = ask(n)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Remaining"] == remaining
        reset = int(response.headers["X-RateLimit-Reset"])
        assert reset == now + 3600
    # The fourth is refused with 429, the same headers and a Retry-After up to the reset.
    response = ask(3)
    assert_error(response, 429, "too_many_requests")
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) == reset
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert tenant_server.outbox("ip3@example.com") == []
    # An hour after the first request a new window opens, and requests go through again.
    tenant_server.advance_clock(3600)
    assert ask(4).status_code == 200


@pytest.mark.tenant_config(profile="hardened")
def test_known_and_unknown_identifiers_get_the_same_answer(tenant_server):
    def answer(connection: str, field: str, identifier: str):
        body = {"client_id": NATIVE_CLIENT, "connection": connection, field: identifier}
        response = start(tenant_server, {**body, "send": "code"})
        body = response.json()
        # Everything but the identifier itself and its _id, which differ anyway.
        return response.status_code, sorted(body), body[f"{field.split('_')[0]}_verified"]

    # Ada and +15555550100 are seeded users; the others have never been seen.
    known = answer("email", "email", "ada@example.com")
    assert known == (200, ["_id", "email", "email_verified"], False)
    assert answer("email", "email", "nobody-yet@example.com") == known
    known = answer("sms", "phone_number", "+15555550100")
    assert known == (200, ["_id", "phone_number", "phone_verified"], False)
    assert answer("sms", "phone_number", "+15555550111") == known


def test_codes_are_stored_only_as_keyed_hashes(tenant_server):
    code = send_email_code(tenant_server, "hashed@example.com")
    row = dict(_code_row(tenant_server, "hashed@example.com"))
    # The code is in no column of the table...
    assert all(code not in str(value) for value in row.values())
    # ...only its HMAC-SHA256 under the tenant's secret, not a plain hash anyone can reverse.
    secret = tenant_server.tenant.secret
    assert row["code_hash"] == hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()
    assert row["code_hash"] != hashlib.sha256(code.encode()).hexdigest()
    assert len(secret) >= 32


@pytest.mark.parametrize(
    "otp",
    [123456, 123456.0, ["123456"], {"code": "123456"}, True, "１２３４５６", "12345\n6", "x" * 65],
    ids=["number", "float", "list", "object", "bool", "fullwidth", "newline", "too-long"],
)
def test_an_otp_of_the_wrong_type_or_shape_is_400_and_not_an_attempt(tenant_server, otp):
    code = send_email_code(tenant_server, "typed@example.com")
    response = otp_token(tenant_server, "typed@example.com", otp)
    assert_error(response, 400, "invalid_request")
    # No attempt was counted, against the code or the identifier...
    assert _code_row(tenant_server, "typed@example.com")["attempts"] == 0
    assert _failures(tenant_server, "typed@example.com") == 0
    # ...and the right code still works.
    assert otp_token(tenant_server, "typed@example.com", code).status_code == 200


def test_an_otp_of_100_kb_is_refused_by_the_body_cap_without_an_attempt(tenant_server):
    code = send_email_code(tenant_server, "huge@example.com")
    response = otp_token(tenant_server, "huge@example.com", "1" * 100_000)
    # The 64 KiB body cap answers first.
    assert_error(response, 413, "request_entity_too_large")
    assert _code_row(tenant_server, "huge@example.com")["attempts"] == 0
    assert otp_token(tenant_server, "huge@example.com", code).status_code == 200


@pytest.mark.tenant_config(max_body_bytes=262_144)
def test_an_otp_of_100_kb_under_a_larger_cap_is_400_without_an_attempt(tenant_server):
    code = send_email_code(tenant_server, "huge@example.com")
    for otp in ("1" * 100_000, code + "0" * 100_000):
        assert_error(otp_token(tenant_server, "huge@example.com", otp), 400, "invalid_request")
    assert _code_row(tenant_server, "huge@example.com")["attempts"] == 0
    assert otp_token(tenant_server, "huge@example.com", code).status_code == 200


def test_a_null_otp_is_a_missing_otp(tenant_server):
    code = send_email_code(tenant_server, "nullotp@example.com")
    assert_error(otp_token(tenant_server, "nullotp@example.com", None), 400, "invalid_request")
    assert _code_row(tenant_server, "nullotp@example.com")["attempts"] == 0
    assert otp_token(tenant_server, "nullotp@example.com", code).status_code == 200


def test_a_form_field_given_twice_is_refused(tenant_server):
    code = send_email_code(tenant_server, "dup@example.com")
    # Two `otp` fields: which one would be checked? Neither (RFC 6749 3.1).
    form = [
        ("grant_type", "http://auth0.com/oauth/grant-type/passwordless/otp"),
        ("client_id", NATIVE_CLIENT),
        ("username", "dup@example.com"),
        ("realm", "email"),
        ("otp", wrong_code(code)),
        ("otp", code),
    ]
    assert_error(token(tenant_server, form, form=True), 400, "invalid_request")
    assert _code_row(tenant_server, "dup@example.com")["attempts"] == 0


@pytest.mark.parametrize(
    ("connection", "field", "value", "error"),
    [
        ("email", "email", "a@b.test\r\nBcc: x@evil.test", "bad.email"),
        ("email", "email", "a@b.test\nBcc: x@evil.test", "bad.email"),
        ("email", "email", "a@b.test%0d%0aBcc:x@evil.test", "bad.email"),
        ("sms", "phone_number", "+15555550100\r\nBcc: x@evil.test", "bad.phone_number"),
        ("sms", "phone_number", "+15555550100\n", "bad.phone_number"),
    ],
)
def test_header_injection_in_the_identifier_is_400_and_sends_nothing(
    tenant_server, connection, field, value, error
):
    body = {"client_id": NATIVE_CLIENT, "connection": connection, field: value, "send": "code"}
    assert_error(start(tenant_server, body), 400, error)
    # Nothing was sent to anyone, and no code was stored.
    assert tenant_server.outbox() == []
    assert tenant_server.tenant.storage.query("SELECT * FROM otp_codes") == []


def test_header_injection_in_a_form_body_is_refused_too(tenant_server):
    form = {"client_id": NATIVE_CLIENT, "connection": "email", "send": "code"}
    response = requests.post(
        tenant_server.url("passwordless/start"),
        data={**form, "email": "a@b.test\r\nBcc: x@evil.test"},
        timeout=TIMEOUT,
    )
    assert_error(response, 400, "bad.email")
    assert tenant_server.outbox() == []


def test_with_sign_ups_disabled_unknown_people_get_nothing_but_the_same_answer(
    tenant_from_config,
):
    # A tenant whose email connection does not let new people sign up.
    server = tenant_from_config(
        ('name = "email"', "disable_signup = false", "disable_signup = true"),
        profile="hardened",
    )
    freeze_clock(server)

    def ask(email):
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
        response = start(server, body)
        return response.status_code, sorted(response.json()), response.headers.get("Retry-After")

    # The first request: the same answer for Ada (seeded) and for a stranger...
    first = ask("ada@example.com")
    assert first[0] == 200
    assert ask("stranger@example.com") == first
    # ...but only Ada got a code.
    assert len(server.outbox("ada@example.com")) == 1
    assert server.outbox("stranger@example.com") == []
    # A quick second request is throttled alike, so the cooldown does not tell them apart.
    server.advance_clock(5)
    again = ask("ada@example.com")
    assert again[0] == 429
    assert ask("stranger@example.com") == again
    # The stranger cannot log in with a guessed code, and is not made a user.
    assert otp_token(server, "stranger@example.com", "123456").status_code == 403
    users = requests.get(server.url("_dev/api/users"), timeout=TIMEOUT).json()
    assert "stranger@example.com" not in {u["identifier"] for u in users}
