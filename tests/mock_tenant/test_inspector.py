"""The flow inspector: one timeline per login, every step named, no secret stored."""

import sqlite3
import urllib.parse

import jwt
import pytest
import requests

from mock_tenant import create_app
from mock_tenant.config import load_config
from mock_tenant.core import memo, timeline
from mock_tenant.dev import explain, inspector
from tests.constants import API_AUDIENCE, NATIVE_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.mock_tenant.helpers import otp_token, pkce_pair, refresh, send_email_code
from tests.mock_tenant.test_universal_login import authorize_url, query_of
from tests.ul_driver import login_via_universal_login


def timelines(server, **filters) -> list[dict]:
    """Return the inspector's logins, newest first."""
    response = requests.get(server.url("_dev/api/events"), params=filters, timeout=10)
    response.raise_for_status()
    return response.json()


def stored_events(server) -> str:
    """Return everything the inspector stored, as one string, straight from SQLite."""
    db = sqlite3.connect(server.tenant.storage.path)
    try:
        rows = db.execute("SELECT data FROM inspector_events").fetchall()
        handles = db.execute("SELECT handle FROM inspector_handles").fetchall()
    finally:
        db.close()
    return " ".join(r[0] for r in rows + handles)


def web_login(server, email: str, **overrides) -> dict:
    """Log in through Universal Login as the web app and exchange the code; return tokens."""
    verifier, challenge = pkce_pair()
    url = authorize_url(server, code_challenge=challenge, **overrides)
    callback = login_via_universal_login(requests.Session(), url, email, server)
    response = requests.post(
        server.url("oauth/token"),
        data={
            "grant_type": "authorization_code",
            "code": query_of(callback)["code"],
            "redirect_uri": "http://localhost:3000/callback",
            "code_verifier": verifier,
        },
        auth=(WEB_CLIENT, WEB_SECRET),
        timeout=10,
    )
    response.raise_for_status()
    return {**response.json(), "code": query_of(callback)["code"], "verifier": verifier}


def test_a_universal_login_is_one_timeline_from_authorize_to_the_code_exchange(tenant_server):
    web_login(tenant_server, "ivy@example.com")
    [login] = timelines(tenant_server)
    assert login["identifier"] == "ivy@example.com"
    assert login["client_id"] == WEB_CLIENT
    assert [e["kind"] for e in login["events"]] == [
        "Authorization request",
        "Identifier page",
        "Identifier page",
        "Code page (email)",
        "Code page (email)",
        "Resume: code issued to the app",
        "Code exchange",
    ]
    # The code check says what happened, and the send links to the outbox message.
    assert login["events"][4]["note"] == "Code check: ok"
    message_id = tenant_server.outbox("ivy@example.com")[0]["id"]
    assert login["events"][2]["message_id"] == message_id


def test_a_login_through_the_consent_page_is_still_one_timeline(tenant_server):
    # An API audience on a localhost callback: Auth0 asks for consent before the code.
    web_login(tenant_server, "consent@example.com", audience=API_AUDIENCE)
    [login] = timelines(tenant_server)
    kinds = [e["kind"] for e in login["events"]]
    assert "Consent page" in kinds
    assert kinds[-1] == "Code exchange"


def test_parameters_come_with_an_explanation(tenant_server):
    web_login(tenant_server, "jay@example.com")
    authorize = timelines(tenant_server)[0]["events"][0]
    assert authorize["params"]["code_challenge_method"]["value"] == "S256"
    assert "PKCE" in authorize["params"]["code_challenge"]["explains"]
    assert "CSRF" in authorize["params"]["state"]["explains"]


def test_tokens_are_shown_decoded_with_their_signature_checked(tenant_server):
    web_login(tenant_server, "kim@example.com")
    exchange = timelines(tenant_server)[0]["events"][-1]
    id_token = next(t for t in exchange["tokens"] if t["name"] == "id_token")
    assert id_token["payload"]["email"] == "kim@example.com"
    assert id_token["signature"].startswith("valid: RS256")
    assert "Issuer" in id_token["claims"]["iss"]
    assert exchange["answer"]["id_token"] == "[decoded below]"


def test_explanations_are_added_when_read_not_stored_in_each_event(tenant_server):
    web_login(tenant_server, "kit@example.com")
    stored = stored_events(tenant_server)
    assert explain.PARAMETERS["code_challenge"] not in stored
    assert explain.CLAIMS["iss"] not in stored
    exchange = timelines(tenant_server)[0]["events"][-1]
    assert exchange["params"]["grant_type"]["explains"] == explain.PARAMETERS["grant_type"]
    id_token = next(t for t in exchange["tokens"] if t["name"] == "id_token")
    assert id_token["claims"] == {k: explain.CLAIMS.get(k) for k in id_token["payload"]}


def test_a_token_the_request_did_not_sign_has_its_signature_checked(tmp_path):
    app = create_app(load_config(data_dir=tmp_path))
    keys = app.extensions["mock_tenant"].keys
    # Signed outside a request, so no request remembers signing them.
    token, other = keys.sign({"sub": "a"}), keys.sign({"sub": "b"})
    header, payload, _ = token.split(".")
    swapped = f"{header}.{payload}.{other.split('.')[2]}"
    with app.test_request_context("/oauth/token", method="POST"):
        assert inspector._decode("id_token", token)["signature"].startswith("valid: RS256")
        assert inspector._decode("id_token", swapped)["signature"] == (
            "invalid: no published key verifies it"
        )


def test_a_token_signed_in_this_request_is_known_by_its_key(tmp_path):
    keys = create_app(load_config(data_dir=tmp_path)).extensions["mock_tenant"].keys
    memo.start()
    try:
        token = keys.sign({"sub": "a"})
        assert keys.signed_in_this_request(token) == jwt.get_unverified_header(token)["kid"]
        assert keys.signed_in_this_request(token + "x") is None
    finally:
        memo.stop()
    assert keys.signed_in_this_request(token) is None


def test_no_code_secret_verifier_or_usable_token_is_stored(tenant_server):
    tokens = web_login(tenant_server, "lee@example.com")
    one_time_code = tenant_server.last_code("lee@example.com")
    stored = stored_events(tenant_server)
    for secret in (
        one_time_code,
        tokens["code"],
        tokens["verifier"],
        WEB_SECRET,
        tokens["refresh_token"],
        tokens["access_token"],
        tokens["id_token"],
    ):
        assert secret not in stored
    # A JWT's signature is dropped, so not even the signature part is there.
    assert tokens["id_token"].split(".")[2] not in stored


def test_an_otp_login_shows_the_wrong_try_rotation_and_reuse_detection(tenant_server):
    code = send_email_code(tenant_server, "max@example.com")
    otp_token(tenant_server, "max@example.com", "000000" if code != "000000" else "111111")
    r1 = otp_token(tenant_server, "max@example.com", code, scope="openid offline_access").json()[
        "refresh_token"
    ]
    refresh(tenant_server, r1)
    refresh(tenant_server, r1)  # a reuse: the whole family is revoked
    [login] = timelines(tenant_server)
    notes = [(e["kind"], e["note"]) for e in login["events"]]
    assert notes[0] == ("Passwordless start: code or link sent", None)
    assert notes[1] == ("OTP grant", "Code check: wrong")
    assert notes[2] == ("OTP grant", "Code check: ok")
    assert notes[3][0] == "Refresh" and notes[3][1].startswith("Rotated: …")
    assert notes[4] == (
        "Refresh",
        "Reuse detected: a rotated token came back, the family is revoked",
    )


def test_timelines_filter_by_client_and_by_user(tenant_server):
    web_login(tenant_server, "ned@example.com")
    send_email_code(tenant_server, "oda@example.com")
    assert [t["identifier"] for t in timelines(tenant_server)] == [
        "oda@example.com",
        "ned@example.com",
    ]
    assert [t["identifier"] for t in timelines(tenant_server, client_id=NATIVE_CLIENT)] == [
        "oda@example.com"
    ]
    assert [t["identifier"] for t in timelines(tenant_server, user="NED@example.com")] == [
        "ned@example.com"
    ]


def test_the_inspector_page_is_a_dev_page_with_its_own_script(tenant_server):
    response = requests.get(tenant_server.url("_dev/inspector"), timeout=10)
    assert response.status_code == 200
    assert '<script type="module" src="/static/inspector.js">' in response.text
    assert "What is hidden, and why" in response.text


@pytest.mark.e2e
def test_the_inspector_page_draws_a_login_as_text(tenant_server, page):
    # An app asks for a code, with a state that looks like HTML.
    requests.post(
        tenant_server.url("passwordless/start"),
        json={
            "client_id": NATIVE_CLIENT,
            "connection": "email",
            "email": "pat@example.com",
            "send": "code",
            "authParams": {"state": "<img src=x onerror=alert(1)>"},
        },
        timeout=10,
    )
    # The learner opens the inspector, filtered to that user.
    page.goto(
        tenant_server.url("_dev/inspector?") + urllib.parse.urlencode({"user": "pat@example.com"})
    )
    timeline = page.get_by_role("article").first
    timeline.get_by_text("Passwordless start: code or link sent").first.click()
    # The step opens, and the HTML-looking value is shown as text, not run.
    assert "<img src=x onerror=alert(1)>" in timeline.inner_text()
    assert page.locator("img").count() == 0


def test_old_logins_and_their_handles_are_pruned_with_their_events(tmp_path, monkeypatch):
    monkeypatch.setattr(timeline, "KEEP_EVENTS", 50)
    tenant = create_app(load_config(data_dir=tmp_path)).extensions["mock_tenant"]

    def exchange(n: int, presented: frozenset[str] = frozenset()) -> None:
        """Record one exchange of a login of its own, handing out one handle."""
        timeline.record(
            tenant,
            {"kind": "test"},
            presented=set(presented),
            handed_out={f"test:{n}"},
            new_login=not presented,
            client_id=None,
            identifier=f"user{n}@example.com",
            user_id=None,
        )

    for n in range(1, 301):  # the 300th event prunes every event up to the 250th
        exchange(n)
    db = sqlite3.connect(tenant.storage.path)
    try:
        logins = [r[0] for r in db.execute("SELECT identifier FROM inspector_logins")]
        handles = [r[0] for r in db.execute("SELECT handle FROM inspector_handles")]
        assert db.execute("SELECT COUNT(*) FROM inspector_events").fetchone()[0] == 50
    finally:
        db.close()
    assert sorted(logins) == sorted(f"user{n}@example.com" for n in range(251, 301))
    assert sorted(handles) == sorted(f"test:{n}" for n in range(251, 301))
    # A handle of a pruned login finds nothing: the exchange that presents it starts anew.
    exchange(301, presented={"test:1"})
    newest = timeline.timelines(tenant)[0]
    assert newest["identifier"] == "user301@example.com"
    assert len(newest["events"]) == 1


@pytest.mark.tenant_config(inspector=False)
def test_with_the_inspector_off_nothing_is_recorded(tenant_server):
    send_email_code(tenant_server, "quiet@example.com")
    assert timelines(tenant_server) == []


def test_a_login_that_reused_the_session_is_named_and_its_logout_drawn_under_it(tenant_server):
    browser = requests.Session()
    first = authorize_url(tenant_server, code_challenge=pkce_pair()[1])
    login_via_universal_login(browser, first, "sso@example.com", tenant_server)
    # A second login in the same browser: the SSO session answers, no page asks who.
    again = authorize_url(tenant_server, code_challenge=pkce_pair()[1])
    callback = login_via_universal_login(browser, again, "unused", tenant_server)
    assert "code" in query_of(callback)
    browser.get(
        tenant_server.url("v2/logout"),
        params={"client_id": WEB_CLIENT, "returnTo": "http://localhost:3000/"},
        allow_redirects=False,
        timeout=10,
    )
    newest, oldest = timelines(tenant_server)
    assert newest["identifier"] == oldest["identifier"] == "sso@example.com"
    assert [e["kind"] for e in newest["events"]] == ["Authorization request", "Logout"]
    assert "Note over Tenant: SSO session still open" in newest["diagram"]
    assert "Browser->>Tenant: GET /v2/logout" in newest["diagram"]
    assert "/v2/logout" not in oldest["diagram"]


def test_logins_are_listed_newest_first_after_the_tenant_clock_ages_its_state(tenant_server):
    # Advancing the dev clock ages stored state (core/clock.py) but never the inspector's
    # records, which keep real time: a login made after an advance is still the newest.
    send_email_code(tenant_server, "before@example.com")
    tenant_server.advance_clock(3600)
    send_email_code(tenant_server, "after@example.com")
    assert [login["identifier"] for login in timelines(tenant_server)] == [
        "after@example.com",
        "before@example.com",
    ]
