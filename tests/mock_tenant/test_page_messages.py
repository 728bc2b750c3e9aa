"""The login pages' messages point at the real cause (issue K, item 4)."""

from __future__ import annotations

import requests

from tests.mock_tenant.test_universal_login import (
    CSRF,
    alert_text,
    open_identifier_page,
    submit_code,
    submit_identifier,
)


def test_back_after_a_finished_login_says_the_login_is_finished(tenant_server):
    http = requests.Session()
    challenge = submit_identifier(http, open_identifier_page(http, tenant_server), "b@example.com")
    resume = submit_code(http, challenge, tenant_server.last_code("b@example.com"))
    http.get(tenant_server.url(resume.headers["Location"]), allow_redirects=False, timeout=10)
    # The person presses Back: the code page of a login that went through.
    again = http.get(challenge.url, timeout=10)
    assert again.status_code == 400
    assert "This login is finished" in again.text
    assert "expired" not in again.text


def test_an_unknown_login_still_says_it_expired(tenant_server):
    page = requests.get(
        tenant_server.url("u/login/passwordless-email-challenge?state=nothing-here"), timeout=10
    )
    assert page.status_code == 400 and "This login has expired" in page.text


def test_a_magic_link_used_twice_says_it_was_used(tenant_server):
    http = requests.Session()
    submit_identifier(http, open_identifier_page(http, tenant_server), "twice@example.com", "link")
    link = tenant_server.outbox("twice@example.com")[0]["link"]
    resume = http.get(link, allow_redirects=False, timeout=10)
    http.get(tenant_server.url(resume.headers["Location"]), allow_redirects=False, timeout=10)
    # The same browser opens the link again (the mail client's second click).
    again = http.get(link, timeout=10)
    assert again.status_code == 400
    assert "already used" in again.text
    assert "browser where you asked" not in again.text


def test_a_phone_number_without_a_plus_gets_an_example_not_a_pattern(tenant_server):
    http = requests.Session()
    page = open_identifier_page(http, tenant_server, connection="sms")
    answer = submit_identifier(http, page, "555 555 0100")
    assert answer.status_code == 400
    assert "+ and the country code, like +15555550100" in alert_text(answer)
    assert "does not match pattern" not in answer.text


def test_resending_a_link_says_a_new_link_was_sent_not_a_code(tenant_server):
    http = requests.Session()
    page = submit_identifier(
        http, open_identifier_page(http, tenant_server), "l@example.com", "link"
    )
    csrf = CSRF.search(page.text).group(1)
    again = http.post(page.url, data={"csrf_token": csrf, "action": "resend"}, timeout=10)
    assert again.status_code == 200
    assert "We sent a new link" in again.text
    assert "new code" not in again.text
