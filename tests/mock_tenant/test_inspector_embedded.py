"""The flow inspector on an embedded login: start, /co/authenticate and /authorize as one login."""

import urllib.parse

import requests

from tests.constants import EMBEDDED_CLIENT
from tests.mock_tenant.helpers import TIMEOUT
from tests.mock_tenant.test_cross_origin_login import (
    EMAIL,
    authorize,
    co_authenticate,
    fragment,
    passwordless_body,
    ticket_for,
)
from tests.mock_tenant.test_inspector import stored_events, timelines

START = "Passwordless start: code or link sent"
CO_AUTHENTICATE = "Cross-origin authentication: code checked, login ticket issued"
TICKET_AUTHORIZE = "Authorization request with a login ticket (embedded login)"


def test_an_embedded_login_is_one_login_named_by_email_from_start_to_the_apps_answer(
    tenant_server,
):
    ticket, _ = ticket_for(tenant_server)
    answer = fragment(
        authorize(tenant_server, ticket["login_ticket"], verifier=ticket["co_verifier"])
    )
    [login] = timelines(tenant_server)
    assert login["identifier"] == EMAIL
    assert login["client_id"] == EMBEDDED_CLIENT
    assert login["user_id"]
    kinds = [(e["kind"], e["note"]) for e in login["events"]]
    assert kinds == [
        (START, None),
        (CO_AUTHENTICATE, "Code check: ok"),
        (TICKET_AUTHORIZE, None),
    ]
    # The ID token in the answer's fragment is decoded like one in a token response.
    [_, co, authorized] = login["events"]
    assert co["answer"]["co_verifier"] == "[hidden]"
    assert co["answer"]["login_ticket"].startswith("…")
    assert co["params"]["otp"]["value"] == "[hidden]"
    id_token = next(t for t in authorized["tokens"] if t["name"] == "id_token")
    assert id_token["payload"]["email"] == EMAIL
    assert "id_token=%5Bdecoded+below%5D" in authorized["answer"]["redirect"]
    # Nothing stored can sign anyone in: not the code, the ticket, the verifier or a token.
    stored = stored_events(tenant_server)
    for secret in (
        tenant_server.last_code(EMAIL),
        ticket["login_ticket"],
        ticket["co_verifier"],
        answer["access_token"],
        answer["id_token"],
        answer["id_token"].split(".")[2],
    ):
        assert secret not in stored


def test_a_wrong_code_at_co_authenticate_is_recorded_in_the_same_login(tenant_server):
    ticket, _ = ticket_for(tenant_server)
    co_authenticate(tenant_server, passwordless_body("000000"))
    [login] = timelines(tenant_server)
    assert [(e["kind"], e["status"], e["note"]) for e in login["events"]][1:] == [
        (CO_AUTHENTICATE, 200, "Code check: ok"),
        (CO_AUTHENTICATE, 403, "Code check: wrong"),
    ]


def test_the_verification_fallback_joins_the_same_login(tenant_server):
    ticket, _ = ticket_for(tenant_server)
    redirect = authorize(tenant_server, ticket["login_ticket"])
    requests.get(tenant_server.url(redirect.headers["Location"]), timeout=TIMEOUT)
    form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect.headers["Location"]).query))
    requests.post(
        tenant_server.url("co/verify"),
        data={**form, "co_verifier": ticket["co_verifier"]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    [login] = timelines(tenant_server)
    assert [e["kind"] for e in login["events"]] == [
        START,
        CO_AUTHENTICATE,
        TICKET_AUTHORIZE,
        "Cross-origin verification page: asks the app's page for the verifier",
        "Cross-origin verification: verifier posted",
    ]
    assert ticket["co_verifier"] not in stored_events(tenant_server)
    assert ticket["login_ticket"] not in stored_events(tenant_server)


def test_the_diagram_draws_the_apps_page_checking_the_code_and_the_browser_spending_the_ticket(
    tenant_server,
):
    ticket, _ = ticket_for(tenant_server)
    authorize(tenant_server, ticket["login_ticket"], verifier=ticket["co_verifier"])
    [login] = timelines(tenant_server)
    text = login["diagram"]
    # The app is named by its configured name, not as an auth0-spa-js app.
    assert "participant App as Embedded Login Example" in text
    assert "App->>Tenant: POST /co/authenticate (username=embedded@example.com)" in text
    assert "Tenant-->>App: 200 with login_ticket, co_verifier, co_id (and a verifier cookie)" in (
        text
    )
    assert "Browser->>Tenant: GET /authorize (login_ticket)" in text
    assert "Note over Tenant: login ticket and its verifier checked#58; no login page" in text
    assert "Browser->>App: GET / (follows the redirect)" in text
