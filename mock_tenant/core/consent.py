"""User consent: which API permissions a person let an application use, remembered per app.

Auth0 asks for consent when an application requests access to an API on the user's behalf.
A first-party application skips the question only when the API allows it
(`skip_consent_for_verifiable_first_party_clients`) and the application is *verifiable*:
one whose callback runs on `localhost` never is, since any program on the user's machine
can listen there. Once given, consent is remembered for that application, API and those
scopes until revoked.
https://auth0.com/docs/get-started/applications/third-party-applications/user-consent-and-third-party-applications
"""

from __future__ import annotations

import urllib.parse

# Hosts any local program can listen on: a callback there proves nothing about the app.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def verifiable(redirect_uri: str) -> bool:
    """Tell whether a callback could only belong to the registered app (not a loopback host)."""
    host = (urllib.parse.urlsplit(redirect_uri).hostname or "").lower()
    return host not in LOOPBACK_HOSTS and not host.endswith(".localhost")


def required(db, tenant, request, user_id: str) -> bool:
    """Tell whether this login must ask the user for consent before answering the app."""
    # https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest: prompt=consent.
    if "consent" in (request.prompt or "").split():
        return True
    client = tenant.config.client(request.client_id)
    api = tenant.config.resource_server(request.audience)
    if api is None:
        # No API asked for: a first-party app only reads the user's own profile.
        # (The docs describe consent for access to an API; the suite's reading.)
        if client.is_first_party:
            return False
    elif (
        client.is_first_party
        and api.skip_consent_for_verifiable_first_party_clients
        and verifiable(request.redirect_uri)
    ):
        return False
    row = db.execute(
        "SELECT scope FROM consents WHERE user_id = ? AND client_id = ? AND audience = ?",
        (user_id, request.client_id, request.audience or ""),
    ).fetchone()
    given = set(row["scope"].split()) if row else set()
    return not set(request.scope.split()) <= given


def give(db, tenant, request, user_id: str) -> None:
    """Remember that the user let this app use these scopes of this API (added to earlier ones)."""
    audience = request.audience or ""
    row = db.execute(
        "SELECT scope FROM consents WHERE user_id = ? AND client_id = ? AND audience = ?",
        (user_id, request.client_id, audience),
    ).fetchone()
    scopes = dict.fromkeys((row["scope"].split() if row else []) + request.scope.split())
    db.execute(
        "INSERT INTO consents (user_id, client_id, audience, scope, granted_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, client_id, audience) "
        "DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
        (user_id, request.client_id, audience, " ".join(scopes), tenant.clock.now()),
    )
