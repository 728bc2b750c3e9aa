"""Your back office manages users through Auth0's Management API; they log in to your app.

Auth0 creates passwordless users only at their first login or through `POST /api/v2/users`
(https://auth0.com/docs/api/management/v2/users/post-users). These tests call the local
tenant's Management API with plain requests, as your back office would call Auth0's.
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from mock_tenant.testing.playwright import log_in, submit_identifier

TIMEOUT = 10


def management_api(tenant, token: str, method: str, path: str, **kwargs) -> requests.Response:
    """Call the tenant's Management API (`/api/v2/...`) with a bearer token."""
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(
        method, tenant.url("/api/v2" + path), headers=headers, timeout=TIMEOUT, **kwargs
    )


def test_a_user_the_back_office_creates_logs_in_and_the_app_shows_that_user(
    page: Page, app_url, passwordless_tenant, management_token
):
    body = {"connection": "email", "email": "grace@example.com", "given_name": "Grace"}
    response = management_api(passwordless_tenant, management_token, "POST", "/users", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    log_in(page, passwordless_tenant, "grace@example.com")
    # The app greets the profile the back office gave, and shows the id the API returned.
    # The name is what tells this user from one made at login: the local tenant derives a
    # user id from the address, so a person who signed up instead would have the same id.
    expect(page.get_by_role("heading", name="Hello, Grace", exact=True)).to_be_visible()
    expect(page.locator("#user-id")).to_have_text(created["user_id"])


# "Disable Sign Ups" on the email connection: Universal Login sends no code to people who
# have no user yet, so only those your back office created can log in.
# https://auth0.com/docs/authenticate/passwordless/passwordless-connections
@pytest.mark.passwordless_tenant(
    connections=[
        {"name": "email", "strategy": "email", "disable_signup": True},
        {"name": "sms", "strategy": "sms"},
    ]
)
def test_with_sign_ups_disabled_only_people_the_back_office_created_log_in(
    page: Page, app_url, passwordless_tenant, management_token
):
    body = {"connection": "email", "email": "invited@example.com"}
    response = management_api(passwordless_tenant, management_token, "POST", "/users", json=body)
    assert response.status_code == 201, response.text
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    log_in(page, passwordless_tenant, "invited@example.com")
    expect(page.locator("#user-id")).to_have_text(response.json()["user_id"])
    # Someone else, in a browser with no session at the app or the tenant.
    page.context.clear_cookies()
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    submit_identifier(page, passwordless_tenant, "stranger@example.com")
    assert passwordless_tenant.messages("stranger@example.com") == []


def test_the_back_office_finds_a_person_who_signed_up_by_logging_in(
    page: Page, app_url, passwordless_tenant, management_token
):
    page.goto(app_url)
    page.get_by_role("link", name="Log in with email").click()
    log_in(page, passwordless_tenant, "new.person@example.com")
    shown = page.locator("#user-id").inner_text()
    found = management_api(
        passwordless_tenant,
        management_token,
        "GET",
        "/users-by-email",
        params={"email": "new.person@example.com"},
    ).json()
    assert [user["user_id"] for user in found] == [shown]
    assert found[0]["email_verified"] is True


def test_the_back_office_may_do_only_what_its_client_grant_allows(
    passwordless_tenant, management_token
):
    [user] = management_api(
        passwordless_tenant,
        management_token,
        "GET",
        "/users-by-email",
        params={"email": "ada@example.com"},
    ).json()
    # The config grants read:users and create:users, not delete:users.
    response = management_api(
        passwordless_tenant, management_token, "DELETE", f"/users/{user['user_id']}"
    )
    assert response.status_code == 403
    assert response.json() == {
        "statusCode": 403,
        "error": "Forbidden",
        "message": "Insufficient scope, expected any of: delete:users",
        "errorCode": "insufficient_scope",
    }
