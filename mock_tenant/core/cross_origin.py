"""Embedded (cross-origin) login: login tickets from /co/authenticate, redeemed at /authorize.

auth0.js on the app's own page posts the one-time code to `/co/authenticate`; the tenant
answers a `login_ticket`, a `co_verifier` and a `co_id`, and auth0.js then sends the browser
to `/authorize?login_ticket=...`. The ticket alone is not enough: the browser must also show
the verifier, either in the cookie /co/authenticate set (a third-party cookie) or, when the
browser blocks those, through the app's `cross_origin_loc` page (`/co/verify`).
https://auth0.com/docs/authenticate/login/cross-origin-authentication
auth0.js `src/web-auth/cross-origin-authentication.js` (login, callback)
"""

from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass

from . import codes, consent, grants, logins, passwordless
from .logins import AuthorizeRequest, digest

# How long a ticket waits for its /authorize. auth0.js redirects at once, so a short life
# costs nothing; Auth0 publishes no figure: 120 seconds is the suite's choice.
TICKET_LIFETIME = 120


@dataclass(frozen=True)
class Ticket:
    """What /co/authenticate answers (auth0.js keeps `co_verifier` under `co_id`)."""

    login_ticket: str
    co_verifier: str
    co_id: str


class TicketProblem(enum.Enum):
    """Why a login ticket cannot sign anyone in."""

    # Unknown, already used, expired, or issued to another application.
    INVALID = "invalid"
    # A good ticket, but the browser showed no (or the wrong) co_verifier.
    NO_VERIFIER = "no_verifier"


@dataclass(frozen=True)
class TicketLogin:
    """What /authorize with a login ticket decided: an answer, the consent page, or a problem.

    `session_cookie` is the new SSO session the ticket opened (set it in the browser);
    `consent_state` a transaction whose user must consent first; `co_id` names the
    verifier the fallback page asks the app for.
    """

    response: dict | None = None
    session_cookie: str | None = None
    consent_state: str | None = None
    problem: TicketProblem | None = None
    co_id: str | None = None


def authenticate(
    tenant, client, *, realm: str, identifier: str, code: str
) -> tuple[codes.Outcome, Ticket | None]:
    """Redeem a one-time code and issue a login ticket for its user, in one write.

    Returns:
        (the outcome, the ticket when the code was right).
    """

    def issue(db, user: dict) -> Ticket:
        """Store a new login ticket for the code's user; only hashes of its secrets."""
        now = tenant.clock.now()
        ticket = Ticket(
            login_ticket=secrets.token_urlsafe(32),
            co_verifier=secrets.token_urlsafe(32),
            co_id=secrets.token_urlsafe(12),
        )
        db.execute(
            "INSERT INTO login_tickets (ticket_hash, co_id, verifier_hash, client_id, user_id, "
            "auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                digest(ticket.login_ticket),
                ticket.co_id,
                digest(ticket.co_verifier),
                client.client_id,
                user["user_id"],
                now,
                now + TICKET_LIFETIME,
            ),
        )
        return ticket

    return passwordless.redeem_for(
        tenant,
        connection=realm,
        identifier=identifier,
        client_id=client.client_id,
        code=code,
        pay=issue,
    )


def login(
    tenant,
    request: AuthorizeRequest,
    *,
    login_ticket: str,
    verifier: str | None,
    browser_key: str,
    session_cookie: str | None,
) -> TicketLogin:
    """Spend a login ticket at /authorize: open the SSO session and answer the app, once.

    The ticket must be live, unused, the requesting client's, and shown with its verifier.
    """
    now = tenant.clock.now()
    with tenant.storage.transaction() as db:
        row = db.execute(
            "SELECT * FROM login_tickets WHERE ticket_hash = ?", (digest(login_ticket),)
        ).fetchone()
        if (
            row is None
            or row["used_at"] is not None
            or row["expires_at"] <= now
            or row["client_id"] != request.client_id
        ):
            return TicketLogin(problem=TicketProblem.INVALID)
        if not verifier or not hmac.compare_digest(row["verifier_hash"], digest(verifier)):
            return TicketLogin(problem=TicketProblem.NO_VERIFIER, co_id=row["co_id"])
        # Single use: of two concurrent redemptions exactly one marks the row.
        spent = db.execute(
            "UPDATE login_tickets SET used_at = ? WHERE ticket_hash = ? AND used_at IS NULL",
            (now, row["ticket_hash"]),
        ).rowcount
        if not spent:
            return TicketLogin(problem=TicketProblem.INVALID)
        cookie, sid = logins.open_session(
            db, tenant, row["user_id"], row["auth_time"], session_cookie
        )
        if consent.required(db, tenant, request, row["user_id"]):
            state = logins.new_transaction(
                db, tenant, request, browser_key, user_id=row["user_id"], auth_time=row["auth_time"]
            )
            return TicketLogin(session_cookie=cookie, consent_state=state)
        response = grants.authorization_response(
            db, tenant, request, user_id=row["user_id"], auth_time=row["auth_time"], sid=sid
        )
    return TicketLogin(response=response, session_cookie=cookie)


def co_id(tenant, login_ticket: str) -> str | None:
    """Return the `co_id` of a live, unused login ticket (the fallback page asks for it)."""
    row = tenant.storage.query_one(
        "SELECT co_id FROM login_tickets WHERE ticket_hash = ? AND used_at IS NULL "
        "AND expires_at > ?",
        (digest(login_ticket), tenant.clock.now()),
    )
    return row["co_id"] if row else None
