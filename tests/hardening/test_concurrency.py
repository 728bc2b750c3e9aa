"""Of concurrent duplicates of one state change, exactly one wins (docs/security.md rule 17).

Each test fires its requests from threads released by one barrier, against the live tenant
(in this process, or gunicorn workers with TENANT_WORKERS=3, where the duplicates land in
different processes), then checks the answers and the database rows behind them.
"""

from __future__ import annotations

import pytest

from mock_tenant.config import DEFAULT_CONFIG_FILE
from mock_tenant.core.minting import token_hash
from tests.constants import NATIVE_CALLBACK, NATIVE_CLIENT
from tests.hardening.support import at_once
from tests.mock_tenant.helpers import (
    issue_authorization_code,
    login,
    otp_token,
    pkce_pair,
    refresh,
    send_email_code,
    start,
    token,
    userinfo,
)
from tests.servers import serve_tenant


def _errors(responses) -> list[str]:
    return sorted(r.json()["error"] for r in responses if r.status_code != 200)


def test_twenty_parallel_submissions_of_one_code_consume_it_once(tenant_server):
    email = "race@example.com"
    code = send_email_code(tenant_server, email)
    responses = at_once(20, lambda _: otp_token(tenant_server, email, code))

    assert [r.status_code for r in responses].count(200) == 1
    # The winner consumed the code; each later duplicate finds no code and is refused,
    # without counting towards the lockout (the person who just logged in stays unlocked).
    assert _errors(responses) == ["invalid_grant"] * 19
    state = tenant_server.tenant.storage.query_one(
        "SELECT failures, locked_until FROM identifier_state WHERE identifier = ?", (email,)
    )
    assert state["failures"] == 0 and state["locked_until"] == 0
    storage = tenant_server.tenant.storage
    # In the database: the code row is gone, one grant, with one access token.
    assert storage.query("SELECT * FROM otp_codes WHERE identifier = ?", (email,)) == []
    grants = storage.query(
        "SELECT g.grant_id FROM grants g JOIN users u USING (user_id) WHERE u.identifier = ?",
        (email,),
    )
    assert len(grants) == 1
    access = storage.query(
        "SELECT * FROM access_tokens WHERE grant_id = ?", (grants[0]["grant_id"],)
    )
    assert len(access) == 1


def test_ten_parallel_refreshes_with_leeway_0_rotate_once_then_revoke_the_family(tenant_server):
    r1 = login(tenant_server, "refrace@example.com", scope="openid offline_access")
    responses = at_once(10, lambda _: refresh(tenant_server, r1["refresh_token"]))

    # The first rotation wins; with a reuse interval of 0 every other request presents a
    # rotated token: a reuse, which revokes the whole family (the winner's tokens too).
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1
    assert _errors(responses) == ["invalid_grant"] * 9
    r2 = winners[0].json()
    assert refresh(tenant_server, r2["refresh_token"]).status_code == 403
    assert userinfo(tenant_server, r2["access_token"]).status_code == 401

    storage = tenant_server.tenant.storage
    family = storage.query(
        "SELECT r.rotated_at, g.revoked_at FROM refresh_tokens r JOIN grants g USING (grant_id) "
        "WHERE r.grant_id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = ?)",
        (token_hash(r1["refresh_token"]),),
    )
    # R1 and R2, never a third; at most one not rotated, and the grant is revoked.
    assert len(family) == 2
    assert sum(row["rotated_at"] is None for row in family) == 1
    assert all(row["revoked_at"] is not None for row in family)
    _assert_never_two_live_tokens_in_a_family(storage)


def test_parallel_refreshes_inside_the_reuse_interval_leave_one_live_token(tmp_path):
    # A client with a reuse interval (leeway): duplicates inside it are not reuses.
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    anchor = text.index('client_id = "demo-native-app"')
    at = text.index("leeway = 0", anchor)
    config = tmp_path / "leeway.toml"
    config.write_text(text[:at] + "leeway = 30" + text[at + len("leeway = 0") :])
    with serve_tenant(tmp_path / "tenant", config) as server:
        r1 = login(server, "leeway@example.com", scope="openid offline_access")["refresh_token"]
        responses = at_once(10, lambda _: refresh(server, r1))
        # Every duplicate gets tokens, and each rotation retires the tokens before it...
        assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
        storage = server.tenant.storage
        live = storage.query(
            "SELECT token_hash FROM refresh_tokens WHERE rotated_at IS NULL AND grant_id = "
            "(SELECT grant_id FROM refresh_tokens WHERE token_hash = ?)",
            (token_hash(r1),),
        )
        # ...so the family holds exactly one live token: the one minted last.
        assert len(live) == 1
        _assert_never_two_live_tokens_in_a_family(storage)
        issued = {token_hash(r.json()["refresh_token"]) for r in responses}
        assert live[0]["token_hash"] in issued


@pytest.mark.tenant_config(profile="hardened")
def test_parallel_starts_for_one_identifier_send_one_code(tenant_server):
    email = "startrace@example.com"
    body = {"client_id": NATIVE_CLIENT, "connection": "email", "email": email, "send": "code"}
    responses = at_once(10, lambda _: start(tenant_server, body))

    # One code went out; the resend cooldown refused the other nine.
    assert [r.status_code for r in responses].count(200) == 1
    refused = [r for r in responses if r.status_code != 200]
    assert {r.status_code for r in refused} == {429}
    assert {r.json()["error"] for r in refused} == {"too_many_requests"}
    assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)
    assert len(tenant_server.outbox(email)) == 1
    rows = tenant_server.tenant.storage.query(
        "SELECT * FROM otp_codes WHERE identifier = ?", (email,)
    )
    assert len(rows) == 1
    # The one stored code is the one that was sent.
    assert otp_token(tenant_server, email, tenant_server.last_code(email)).status_code == 200


def test_parallel_uses_of_one_authorization_code_win_once_and_revoke_the_grant(tenant_server):
    verifier, challenge = pkce_pair()
    code = issue_authorization_code(
        tenant_server.tenant,
        client_id=NATIVE_CLIENT,
        redirect_uri=NATIVE_CALLBACK,
        code_challenge=challenge,
    )
    body = {
        "grant_type": "authorization_code",
        "client_id": NATIVE_CLIENT,
        "code": code,
        "redirect_uri": NATIVE_CALLBACK,
        "code_verifier": verifier,
    }
    responses = at_once(10, lambda _: token(tenant_server, body))

    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1
    assert _errors(responses) == ["invalid_grant"] * 9
    # The losers' uses are reuses of the code (RFC 6749 4.1.2): the grant, and with it the
    # winner's tokens, is revoked.
    tokens = winners[0].json()
    assert userinfo(tenant_server, tokens["access_token"]).status_code == 401
    assert refresh(tenant_server, tokens["refresh_token"]).status_code == 403
    storage = tenant_server.tenant.storage
    row = storage.query_one(
        "SELECT c.used_at, g.revoked_at FROM authorization_codes c JOIN grants g "
        "USING (grant_id) WHERE c.code_hash = ?",
        (token_hash(code),),
    )
    assert row["used_at"] is not None and row["revoked_at"] is not None
    # One use minted tokens: one access token and one refresh token in the grant.
    counts = storage.query_one(
        "SELECT (SELECT count(*) FROM access_tokens WHERE grant_id = c.grant_id) AS access, "
        "(SELECT count(*) FROM refresh_tokens WHERE grant_id = c.grant_id) AS refresh "
        "FROM authorization_codes c WHERE c.code_hash = ?",
        (token_hash(code),),
    )
    assert (counts["access"], counts["refresh"]) == (1, 1)


def _assert_never_two_live_tokens_in_a_family(storage) -> None:
    """No grant anywhere holds two refresh tokens that are neither rotated nor revoked."""
    crowded = storage.query(
        "SELECT r.grant_id, count(*) AS live FROM refresh_tokens r JOIN grants g "
        "USING (grant_id) WHERE r.rotated_at IS NULL AND g.revoked_at IS NULL "
        "GROUP BY r.grant_id HAVING count(*) > 1"
    )
    assert crowded == []
