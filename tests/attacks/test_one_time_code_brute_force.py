"""Threat: guessing a six-digit one-time code, and learning who has an account while trying.

RFC 6819 section 4.4.1.3 / 5.1.4.2.3 (online guessing: limit attempts); NIST SP 800-63B
sections 5.1.3 (out-of-band secrets) and 5.2.2 (rate limiting); OWASP Authentication Cheat
Sheet (account lockout, generic answers against user enumeration); OWASP ASVS 5.0 V6.3 and
V6.6. docs/security.md rules 8, 9 and 10 and the "wrong code 3 times" examples.

A million codes, three tries per code, ten failures in a row per identifier, a resend
cooldown and a per-IP limit on sending: a guesser's odds stay near 10 in a million per
lockout period. Every answer is the same for people who have an account and people who do
not, so no status, body or header tells them apart.

The per-identifier lockout, the resend cooldown and the uniform answers are the hardened
profile's (docs/security.md rules 9 and 10): the tests of those run against it. With Auth0's
defaults each code still dies after three wrong tries and a new code replaces the old one.
"""

import pytest
import requests

from tests.attacks.helpers import CSRF
from tests.constants import NATIVE_CLIENT, TOO_MANY, WEB_CLIENT, WRONG_EMAIL
from tests.mock_tenant.helpers import (
    assert_error,
    freeze_clock,
    otp_token,
    send_email_code,
    send_sms_code,
    start,
    wrong_code,
)
from tests.mock_tenant.test_universal_login import (
    alert_text,
    open_identifier_page,
    submit_code,
    submit_identifier,
)

# Headers that may differ between any two answers, whoever asked.
VOLATILE = {"date", "x-ratelimit-remaining"}


def comparable(response: requests.Response) -> tuple:
    """Return what an enumerating attacker compares: status, headers, body shape."""
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in VOLATILE}
    body = response.json()
    shape = {k: (type(v).__name__, len(v) if isinstance(v, str) else v) for k, v in body.items()}
    return response.status_code, headers, shape


# ---- attempt limits ------------------------------------------------------------------------

# The limits themselves (three tries per code, ten failures in a row per identifier, expiry,
# single use, the newest code only, a code bound to its client, codes stored as keyed hashes)
# are tested once, in tests/mock_tenant/test_code_rules.py; here, the ways around them.


def test_three_wrong_sms_codes_then_the_right_one_are_all_refused(tenant_server):
    phone = "+15555550100"
    code = send_sms_code(tenant_server, phone)
    for _ in range(3):
        otp_token(tenant_server, phone, wrong_code(code), realm="sms")
    response = otp_token(tenant_server, phone, code, realm="sms")
    assert_error(response, 403, "invalid_grant", TOO_MANY)


@pytest.mark.tenant_config(profile="hardened", resend_cooldown=0)
def test_a_lock_earned_at_the_token_endpoint_also_holds_on_the_login_page(tenant_server):
    email = "victim@example.com"
    for _ in range(4):
        code = send_email_code(tenant_server, email)
        for _ in range(3):
            otp_token(tenant_server, email, wrong_code(code))
    # The login page checks the same identifier state: locked there too.
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), email)
    code = tenant_server.last_code(email)
    answer = submit_code(http, challenge, code)
    assert answer.status_code == 400
    assert "Too many failed attempts" in alert_text(answer)


def test_three_wrong_codes_on_the_login_page_kill_the_code(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(
        http, open_identifier_page(http, tenant_server), "ada@example.com"
    )
    code = tenant_server.last_code("ada@example.com")
    for _ in range(3):
        assert submit_code(http, challenge, wrong_code(code)).status_code == 400
    answer = submit_code(http, challenge, code)
    assert answer.status_code == 400
    assert "Too many wrong codes" in alert_text(answer)


@pytest.mark.parametrize(
    "guess", ["１２３４５６", "12345", "1234567", "12 456", "abcdef", "' OR 1=1"]
)
def test_malformed_guesses_on_the_login_page_are_refused_without_costing_an_attempt(
    tenant_server, guess
):
    http = requests.Session()
    challenge = submit_identifier(
        http, open_identifier_page(http, tenant_server), "ada@example.com"
    )
    assert submit_code(http, challenge, guess).status_code == 400
    row = tenant_server.tenant.storage.query_one(
        "SELECT attempts FROM otp_codes WHERE identifier = 'ada@example.com'"
    )
    assert row["attempts"] == 0


def test_a_code_sent_for_a_browser_login_cannot_be_redeemed_at_the_token_endpoint(tenant_server):
    # The code is bound to the login transaction (and the browser) that asked for it.
    http = requests.Session()
    submit_identifier(http, open_identifier_page(http, tenant_server), "ada@example.com")
    code = tenant_server.last_code("ada@example.com")
    response = otp_token(
        tenant_server,
        "ada@example.com",
        code,
        client_id=WEB_CLIENT,
        client_secret="demo-regular-web-app-secret",
    )
    assert_error(response, 403, "invalid_grant")


# ---- throttling the sending ------------------------------------------------------------------


@pytest.mark.tenant_config(profile="hardened")
def test_asking_again_for_the_same_identifier_inside_the_cooldown_is_429(tenant_server):
    freeze_clock(tenant_server)
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "ada@example.com",
        "send": "code",
    }
    assert start(tenant_server, body).status_code == 200
    response = start(tenant_server, body)
    assert_error(response, 429, "too_many_requests")
    assert int(response.headers["Retry-After"]) == 30
    assert len(tenant_server.outbox("ada@example.com")) == 1


@pytest.mark.tenant_config(start_rate_limit_per_hour=3)
def test_one_address_sending_codes_to_many_identifiers_is_throttled(tenant_server):
    freeze_clock(tenant_server)
    for n in range(3):
        send_email_code(tenant_server, f"spray{n}@example.com")
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "spray9@example.com",
        "send": "code",
    }
    assert_error(start(tenant_server, body), 429, "too_many_requests")
    assert tenant_server.outbox("spray9@example.com") == []


@pytest.mark.tenant_config(start_rate_limit_per_hour=2)
def test_the_login_page_shares_the_per_address_limit(tenant_server):
    freeze_clock(tenant_server)
    send_email_code(tenant_server, "one@example.com")
    send_email_code(tenant_server, "two@example.com")
    http = requests.Session()
    page = submit_identifier(http, open_identifier_page(http, tenant_server), "three@example.com")
    assert page.status_code == 429
    assert tenant_server.outbox("three@example.com") == []


# ---- no enumeration -------------------------------------------------------------------------


@pytest.mark.tenant_config(profile="hardened")
def test_start_answers_known_and_unknown_emails_identically(tenant_server):
    def ask(email):
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
        return start(tenant_server, body)

    # Same length on purpose, so even Content-Length cannot differ.
    known, unknown = ask("ada@example.com"), ask("bob@example.com")
    assert comparable(known) == comparable(unknown)
    assert known.json()["email_verified"] is unknown.json()["email_verified"] is False


@pytest.mark.tenant_config(profile="hardened")
def test_start_answers_known_and_unknown_phone_numbers_identically(tenant_server):
    def ask(phone):
        return start(
            tenant_server, {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": phone}
        )

    assert comparable(ask("+15555550100")) == comparable(ask("+15555550199"))


def test_a_wrong_code_and_a_never_sent_code_get_the_same_answer(tenant_server):
    send_email_code(tenant_server, "ada@example.com")
    known = otp_token(tenant_server, "ada@example.com", "000000")
    unknown = otp_token(tenant_server, "bob@example.com", "000000")
    assert comparable(known) == comparable(unknown)
    assert (
        known.json()
        == unknown.json()
        == {
            "error": "invalid_grant",
            "error_description": WRONG_EMAIL,
        }
    )


@pytest.mark.tenant_config(profile="hardened", resend_cooldown=0)
def test_a_lock_looks_the_same_for_known_and_unknown_identifiers(tenant_server):
    # Four codes, three wrong guesses each, for a known and an unknown person: both locked.
    for email in ("ada@example.com", "bob@example.com"):
        for _ in range(4):
            code = send_email_code(tenant_server, email)
            for _ in range(3):
                otp_token(tenant_server, email, wrong_code(code))
    known = otp_token(tenant_server, "ada@example.com", "000000")
    unknown = otp_token(tenant_server, "bob@example.com", "000000")
    assert known.status_code == unknown.status_code == 429
    assert comparable(known) == comparable(unknown)


def test_the_login_page_answers_known_and_unknown_identifiers_alike(tenant_server):
    # A frozen clock: each page counts down its resend cooldown, which must not tick between
    # the two pages.
    freeze_clock(tenant_server)

    def challenge_page(email):
        http = requests.Session()
        return submit_identifier(http, open_identifier_page(http, tenant_server), email)

    known, unknown = challenge_page("ada@example.com"), challenge_page("bob@example.com")
    assert known.status_code == unknown.status_code == 200

    # The same page apart from the identifier and the per-transaction tokens.
    def normalise(page):
        text = page.text.replace("ada@example.com", "X").replace("bob@example.com", "X")
        text = CSRF.sub("", text)
        return __import__("re").sub(r"state=[\w-]+", "", text)

    assert normalise(known) == normalise(unknown)


def test_with_sign_ups_disabled_unknown_people_get_the_same_answer_and_nothing_is_sent(
    tenant_from_config,
):
    tenant = tenant_from_config(
        ('name = "email"', "disable_signup = false", "disable_signup = true"),
        profile="hardened",
    )
    # A stopped clock: Retry-After counts seconds, and a second ticking between the two
    # answers would tell them apart for a reason that has nothing to do with the person.
    requests.post(tenant.url("_dev/api/clock"), json={"freeze": True}, timeout=10)

    def ask(email):
        body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
        return start(tenant, body)

    known, unknown = ask("ada@example.com"), ask("bob@example.com")
    assert comparable(known) == comparable(unknown)
    assert tenant.outbox("bob@example.com") == []
    # And the unknown address's cooldown started too, so a quick second ask matches as well.
    assert comparable(ask("ada@example.com")) == comparable(ask("bob@example.com"))


@pytest.mark.parametrize(
    "otp", [123456, [123456], None, {"code": "123456"}, True, 1.5, "1" * 100_000]
)
def test_an_otp_of_the_wrong_type_or_size_is_refused_without_costing_an_attempt(tenant_server, otp):
    send_email_code(tenant_server, "ada@example.com")
    response = otp_token(tenant_server, "ada@example.com", otp)
    # 100 kB is over the body cap (413); every other shape is a plain 400.
    assert response.status_code in ((400, 413) if isinstance(otp, str) else (400,))
    row = tenant_server.tenant.storage.query_one("SELECT attempts FROM otp_codes")
    assert row["attempts"] == 0
