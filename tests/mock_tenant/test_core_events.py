"""The core announces what happened as signals; the inspector is only one listener."""

from __future__ import annotations

import contextlib

import pytest
import requests

from mock_tenant.core import events
from tests.mock_tenant.helpers import (
    TIMEOUT,
    issue_authorization_code,
    otp_token,
    redeem,
    refresh,
    send_email_code,
    wrong_code,
)
from tests.mock_tenant.test_universal_login import authorize_url
from tests.ul_driver import login_via_universal_login

pytestmark = pytest.mark.in_process

ALL_SIGNALS = {
    "code_sent": events.code_sent,
    "code_checked": events.code_checked,
    "authorization_code_reused": events.authorization_code_reused,
    "user_created": events.user_created,
    "tokens_minted": events.tokens_minted,
    "refresh_rotated": events.refresh_rotated,
    "refresh_reuse_detected": events.refresh_reuse_detected,
    "grant_revoked": events.grant_revoked,
    "session_ended": events.session_ended,
}


@contextlib.contextmanager
def heard():
    """Collect (signal name, keyword arguments) for every core signal sent meanwhile."""
    seen: list[tuple[str, dict]] = []
    receivers = {}
    for name, signal in ALL_SIGNALS.items():

        def receiver(sender, _name=name, **kwargs):
            seen.append((_name, kwargs))

        receivers[name] = receiver
        signal.connect(receiver)
    try:
        yield seen
    finally:
        for name, signal in ALL_SIGNALS.items():
            signal.disconnect(receivers[name])


def names(seen) -> list[str]:
    """Return the names of the signals heard, in order."""
    return [name for name, _ in seen]


def test_an_otp_login_announces_the_code_the_new_user_and_the_tokens(tenant_server):
    with heard() as seen:
        code = send_email_code(tenant_server, "events@example.com")
        assert otp_token(tenant_server, "events@example.com", wrong_code(code)).status_code == 403
        assert otp_token(tenant_server, "events@example.com", code).status_code == 200
    assert names(seen) == [
        "code_sent",
        "code_checked",
        "code_checked",
        "user_created",
        "tokens_minted",
    ]
    sent, wrong, right = seen[0][1], seen[1][1], seen[2][1]
    assert sent["to"] == "events@example.com" and sent["channel"] == "email"
    assert (wrong["outcome"].value, right["outcome"].value) == ("wrong", "ok")
    assert seen[4][1]["names"] == ["access_token", "id_token"]


def test_no_signal_carries_a_code_or_a_token(tenant_server):
    with heard() as seen:
        code = send_email_code(tenant_server, "secretless@example.com")
        body = otp_token(
            tenant_server, "secretless@example.com", code, scope="openid offline_access"
        ).json()
        refresh(tenant_server, body["refresh_token"])
    said = repr(seen)
    for secret in (code, body["access_token"], body["id_token"], body["refresh_token"]):
        assert secret not in said


def test_a_refresh_rotation_and_its_reuse_are_announced(tenant_server):
    code = send_email_code(tenant_server, "rotate@example.com")
    first = otp_token(
        tenant_server, "rotate@example.com", code, scope="openid offline_access"
    ).json()["refresh_token"]
    with heard() as seen:
        assert refresh(tenant_server, first).status_code == 200
        assert refresh(tenant_server, first).status_code == 403
    assert names(seen) == [
        "tokens_minted",
        "refresh_rotated",
        "grant_revoked",
        "refresh_reuse_detected",
    ]
    assert seen[1][1]["old"].startswith("…") and seen[1][1]["old"] != seen[1][1]["new"]
    assert seen[2][1]["reason"] == "refresh token reused"


def test_a_reused_authorization_code_is_announced_with_its_revoked_grant(tenant_server):
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id="demo-regular-web-app",
        redirect_uri="http://localhost:3000/callback",
    )
    with heard() as seen:
        assert redeem(tenant_server, code, None).status_code == 200
        assert redeem(tenant_server, code, None).status_code == 403
    assert names(seen) == ["tokens_minted", "grant_revoked", "authorization_code_reused"]


def test_deleting_a_user_announces_each_revoked_grant(tenant_server):
    code = send_email_code(tenant_server, "leaving@example.com")
    otp_token(tenant_server, "leaving@example.com", code)
    people = requests.get(tenant_server.url("_dev/api/users"), timeout=TIMEOUT).json()
    user_id = next(u["user_id"] for u in people if u["identifier"] == "leaving@example.com")
    with heard() as seen:
        requests.delete(tenant_server.url(f"_dev/api/users/{user_id}"), timeout=TIMEOUT)
    assert names(seen) == ["grant_revoked"]
    assert seen[0][1]["reason"] == "user deleted"


def test_a_universal_login_and_its_logout_announce_the_session(tenant_server):
    http = requests.Session()
    with heard() as seen:
        login_via_universal_login(
            http, authorize_url(tenant_server), "ul@example.com", tenant_server
        )
        http.get(tenant_server.url("v2/logout"), allow_redirects=False, timeout=TIMEOUT)
    assert names(seen)[0] == "code_sent"
    assert names(seen)[-1] == "session_ended"
    assert "user_created" in names(seen)
