"""The inspector's sequence diagram: Mermaid text drawn from a login's recorded exchanges."""

import re

from mock_tenant.dev.diagram import sequence

TENANT = {"http://127.0.0.1:4000", "http://localhost:4000"}


def exchange(method: str, path: str, status: int, **fields) -> dict:
    """Return a recorded exchange as the inspector stores it (only what the diagram reads)."""
    params = {k: {"value": v, "explains": None} for k, v in fields.pop("params", {}).items()}
    return {"method": method, "path": path, "status": status, "params": params, **fields}


def redirect(url: str) -> dict:
    """Return a recorded redirect answer."""
    return {"answer": {"redirect": url}}


WEB_LOGIN = [
    exchange("GET", "/authorize", 302, **redirect("/u/login/identifier?state=[hidden]")),
    exchange("GET", "/u/login/identifier", 200, kind="Identifier page"),
    exchange(
        "POST",
        "/u/login/identifier",
        303,
        params={"username": "ada@example.com", "csrf_token": "[hidden]"},
        message_id=7,
        **redirect("/u/login/passwordless-email-challenge?state=s"),
    ),
    exchange(
        "POST",
        "/u/login/passwordless-email-challenge",
        303,
        note="Code check: ok",
        **redirect("/authorize/resume?state=s"),
    ),
    exchange(
        "GET",
        "/authorize/resume",
        302,
        **redirect("http://localhost:3000/callback?code=%5Bhidden%5D&state=abc"),
    ),
    exchange(
        "POST",
        "/oauth/token",
        200,
        params={"grant_type": "authorization_code", "code": "[hidden]"},
        answer={"id_token": "[decoded below]", "access_token": "…1a2b", "refresh_token": "…3c4d"},
    ),
]


def test_a_web_app_login_is_drawn_as_chapter_2_draws_it():
    text = sequence({"events": WEB_LOGIN}, tenant_origins=TENANT, app_type="regular_web")
    assert text == (
        "sequenceDiagram\n"
        "    participant Browser as Browser\n"
        "    participant App as Web app\n"
        "    participant Tenant as Tenant\n"
        "    participant Outbox as Outbox\n"
        "    Browser->>Tenant: GET /authorize\n"
        "    Tenant-->>Browser: 302 to /u/login/identifier with state\n"
        "    Browser->>Tenant: GET /u/login/identifier\n"
        "    Tenant-->>Browser: 200 Identifier page\n"
        "    Browser->>Tenant: POST /u/login/identifier (username=ada@example.com)\n"
        "    Tenant->>Outbox: message 7\n"
        "    Tenant-->>Browser: 303 to /u/login/passwordless-email-challenge with state\n"
        "    Browser->>Tenant: POST /u/login/passwordless-email-challenge\n"
        "    Note over Tenant: Code check#58; ok\n"
        "    Tenant-->>Browser: 303 to /authorize/resume with state\n"
        "    Browser->>Tenant: GET /authorize/resume\n"
        "    Tenant-->>Browser: 302 to localhost#58;3000/callback with code, state\n"
        "    Browser->>App: GET /callback with code, state (follows the redirect)\n"
        "    App->>Tenant: POST /oauth/token (grant_type=authorization_code)\n"
        "    Tenant-->>App: 200 with ID token, access token, refresh token\n"
    )


def test_mermaid_syntax_in_an_email_address_stays_text_in_its_label():
    hostile = 'x;y#z%%{init: {"theme":"dark"}}%%\nBrowser->>API: <b>injected</b>'
    login = {
        "events": [
            exchange("POST", "/u/login/identifier", 400, params={"username": hostile}),
            exchange("GET", "/authorize", 302, **redirect(f"http://evil.example/x;y?{hostile}=1")),
        ]
    }
    text = sequence(login, tenant_origins=TENANT, app_type="regular_web")
    lines = text.splitlines()
    # One statement per line, as drawn: the email adds no line, no statement, no comment.
    assert len(lines) == 1 + 3 + 5, text
    assert "participant API" not in text
    # Once the entity codes are taken out, nothing is left that Mermaid reads as syntax.
    labels = [line.split(": ", 1)[1] for line in lines if ": " in line]
    bare = re.sub(r"#\d+;", "", " ".join(labels))
    assert not any(c in bare for c in ';#%<>"{}:'), text
    assert "#59;" in text and "#37;#37;" in text and "#10;" in text


def test_a_single_page_app_calls_the_token_endpoint_itself_and_its_token_is_for_the_api():
    login = {
        "events": [
            exchange(
                "POST",
                "/oauth/token",
                200,
                origin="http://localhost:3001",
                params={"grant_type": "authorization_code"},
                answer={"access_token": "[decoded below]"},
                tokens=[
                    {
                        "name": "access_token",
                        "payload": {"aud": ["urn:demo:api", "http://127.0.0.1:4000/userinfo"]},
                    }
                ],
            )
        ]
    }
    text = sequence(login, tenant_origins=TENANT, app_type="spa")
    assert "participant App as SPA" in text
    assert "App->>Tenant: POST /oauth/token (grant_type=authorization_code)" in text
    assert "participant API as API" in text
    assert "Note over API: access token for urn#58;demo#58;api<br/>" in text


def test_the_otp_grant_is_drawn_between_the_app_and_the_tenant():
    login = {
        "events": [
            exchange(
                "POST",
                "/passwordless/start",
                200,
                message_id=3,
                params={"connection": "email", "send": "code", "email": "ada@example.com"},
                answer={"_id": "x", "email": "ada@example.com"},
                kind="Passwordless start",
            ),
            exchange(
                "POST",
                "/oauth/token",
                403,
                params={"grant_type": "http://auth0.com/oauth/grant-type/passwordless/otp"},
                answer={"error": "invalid_grant"},
                note="Code check: wrong",
            ),
        ]
    }
    text = sequence(login, tenant_origins=TENANT, app_type="native")
    assert "participant Browser" not in text
    assert "participant App as Terminal app" in text
    assert (
        "App->>Tenant: POST /passwordless/start (connection=email, send=code, "
        "email=ada@example.com)\n    Tenant->>Outbox: message 3\n" in text
    )
    assert "App->>Tenant: POST /oauth/token (grant_type=otp)" in text
    assert "Tenant-->>App: 403 invalid_grant" in text


def test_a_classic_login_page_calling_the_tenant_is_the_browser_not_the_app():
    start = exchange("POST", "/passwordless/start", 200, origin="http://127.0.0.1:4000")
    text = sequence({"events": [start]}, tenant_origins=TENANT, app_type="regular_web")
    assert "Browser->>Tenant: POST /passwordless/start" in text
    assert "participant App" not in text


def test_a_login_that_reused_the_sso_session_says_so_and_ends_with_its_logout():
    login = {
        "events": [
            exchange(
                "GET",
                "/authorize",
                302,
                **redirect("http://localhost:3000/callback?code=%5Bhidden%5D&state=s"),
            ),
            exchange("GET", "/v2/logout", 302, **redirect("http://localhost:3000/")),
        ]
    }
    text = sequence(login, tenant_origins=TENANT, app_type="regular_web")
    assert "Note over Tenant: SSO session still open#58; no login page" in text
    assert text.endswith(
        "    Browser->>Tenant: GET /v2/logout\n"
        "    Tenant-->>Browser: 302 to localhost#58;3000/\n"
        "    Browser->>App: GET / (follows the redirect)\n"
    )


def test_a_single_page_app_is_labelled_with_its_configured_name():
    start = exchange("POST", "/passwordless/start", 200, origin="http://localhost:3002")
    named = sequence(
        {"events": [start]}, tenant_origins=TENANT, app_type="spa", app_name="Embedded Login"
    )
    assert "participant App as Embedded Login\n" in named
    unnamed = sequence({"events": [start]}, tenant_origins=TENANT, app_type="spa")
    assert "participant App as SPA\n" in unnamed
