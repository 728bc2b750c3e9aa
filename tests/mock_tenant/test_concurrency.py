"""Of concurrent uses of one code or one refresh token, exactly one wins (one atomic write each)."""

from concurrent.futures import ThreadPoolExecutor

from tests.mock_tenant.helpers import login, otp_token, refresh, send_email_code


def test_twenty_parallel_submissions_of_one_code_give_exactly_one_success(tenant_server):
    code = send_email_code(tenant_server, "race@example.com")
    # Twenty clients submit the same right code at once.
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(
            pool.map(lambda _: otp_token(tenant_server, "race@example.com", code), range(20))
        )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 1
    # The others were refused: the code was gone, and after ten such failures in a row the
    # identifier's lockout (429) takes over.
    assert {r.json()["error"] for r in responses if r.status_code != 200} <= {
        "invalid_grant",
        "too_many_attempts",
    }
    # Exactly one login was recorded.
    grants = tenant_server.tenant.storage.query("SELECT * FROM grants")
    assert len(grants) == 1


def test_parallel_refreshes_never_leave_two_live_tokens_in_a_family(tenant_server):
    r1 = login(tenant_server, "refrace@example.com", scope="openid offline_access")["refresh_token"]
    # Ten clients refresh with the same token at once.
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: refresh(tenant_server, r1), range(10)))
    statuses = [r.status_code for r in responses]
    # At most one rotation succeeds; with a reuse interval of 0 the others are reuses...
    assert statuses.count(200) <= 1
    assert set(statuses) <= {200, 403}, [r.text for r in responses]
    # ...and whatever happened, the family never holds two live refresh tokens.
    live = tenant_server.tenant.storage.query(
        "SELECT r.token_hash FROM refresh_tokens r JOIN grants g USING (grant_id) "
        "WHERE r.rotated_at IS NULL AND g.revoked_at IS NULL"
    )
    assert len(live) <= 1
