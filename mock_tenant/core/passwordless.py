"""Passwordless logins: send a code or magic link, and redeem it. The one place a code is checked.

Every passwordless login, whichever way it comes in (the OTP grant at /oauth/token, the
Universal Login code page, a magic link), goes through `redeem`: check the code, consume it,
find or create the user, all inside the caller's single write transaction.
https://auth0.com/docs/authenticate/passwordless
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..config import Client, Connection
from . import codes, events, grants, minting, outbox, throttle, users

log = logging.getLogger("mock_tenant.passwordless")

# What a redeemed code pays for (`redeem_for`).
T = TypeVar("T")


@dataclass(frozen=True)
class Message:
    """A message written to the outbox, still to be delivered by SMTP after the commit."""

    message_id: int
    channel: str
    to: str
    subject: str | None
    text: str


@dataclass(frozen=True)
class Redemption:
    """What redeeming a code found: the outcome, and the user when it was right."""

    outcome: codes.Outcome
    user: dict | None = None


def issue(
    db,
    tenant,
    client: Client,
    connection: Connection,
    identifier: str,
    *,
    send: str,
    auth_params: dict,
    transaction_id: str | None = None,
    language: str | None = None,
) -> tuple[int, Message | None]:
    """Send a code or link, inside the caller's transaction; the new code replaces the old.

    `language` is the message's `request_language` (Auth0: the `X-Request-Language` header,
    else `Accept-Language`; on Universal Login, the page's language).

    Returns:
        (seconds left in the hardened profile's resend cooldown, 0 when it went ahead; the
        message written, if any). Call `deliver` with the message once the transaction has
        committed.
    """
    now = tenant.clock.now()
    wait = seconds_until_resend(db, tenant, connection.name, identifier, now)
    # Auth0 has no cooldown per address: a second request sends a new code that replaces
    # the first; only the per-IP limit applies (api/passwordless.py: rate_limit).
    # https://github.com/auth0/docs/blob/master/articles/connections/passwordless/_includes/_rate_limit_server_side.md
    # The hardened profile waits `resend_cooldown` seconds per address (docs/security.md
    # rule 10), so nobody can flood someone's inbox from many addresses.
    if wait and tenant.rule("resend_cooldown"):
        return wait, None
    # With sign-ups disabled, unknown people get nothing, but the same answer; their
    # cooldown starts too, or a quick second request would tell them apart.
    if connection.disable_signup and not users.exists(db, connection.name, identifier):
        codes.note_send(db, connection=connection.name, identifier=identifier, now=now)
        return 0, None
    code = codes.store_code(
        db,
        secret=tenant.secret,
        connection=connection.name,
        identifier=identifier,
        client_id=client.client_id,
        send=send,
        now=now,
        # Per connection, as Auth0's "OTP Expiry" and "OTP Length" (`options.totp`).
        lifetime=connection.totp.time_step or tenant.settings.otp_lifetime,
        length=connection.totp.length,
        transaction_id=transaction_id,
    )
    link = (
        _magic_link(tenant, client, connection, identifier, code, auth_params)
        if send == "link"
        else None
    )
    subject, text = outbox.render(
        connection,
        client,
        code,
        link,
        to=identifier,
        language=language,
        friendly_name=tenant.settings.friendly_name,
    )
    message_id = outbox.record(
        db,
        channel=connection.strategy,
        recipient=identifier,
        subject=subject,
        text=text,
        code=code,
        link=link,
        now=now,
    )
    return 0, Message(message_id, connection.strategy, identifier, subject, text)


def seconds_until_resend(db, tenant, connection: str, identifier: str, now: int) -> int:
    """Return how long the address must wait for another code under the hardened cooldown."""
    return codes.seconds_until_resend(
        db,
        connection=connection,
        identifier=identifier,
        now=now,
        cooldown=tenant.settings.resend_cooldown,
    )


def deliver(tenant, connection: Connection, message: Message | None) -> None:
    """Announce a message just written; once it is committed, log it and hand an email to SMTP."""
    if message is None:
        return

    def committed() -> None:
        """Say where the message is and send the email: the code in it is stored now."""
        # The log says where to read it, never the code itself (docs/security.md rule 19).
        log.info(
            "%s #%s to %s is in the outbox: %s",
            message.channel,
            message.message_id,
            message.to,
            tenant.url("_dev/outbox"),
        )
        if message.channel == "email":
            outbox.deliver_by_smtp(
                tenant.settings, connection.email.from_, message.to, message.subject, message.text
            )

    # A request commits its writes last (core/storage.py: end_request), so this waits for it.
    tenant.storage.after_commit(committed)
    events.code_sent.send(channel=message.channel, to=message.to, message_id=message.message_id)


def _magic_link(tenant, client, connection, identifier, code, auth_params) -> str | None:
    """Return the magic link for a `send=link` code, carrying the app's authParams."""
    # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
    query = {
        **auth_params,
        "client_id": client.client_id,
        "connection": connection.name,
        "email" if connection.strategy == "email" else "phone_number": identifier,
        "verification_code": code,
    }
    return tenant.url("passwordless/verify_redirect?" + urllib.parse.urlencode(query))


def redeem(
    db,
    tenant,
    *,
    connection: str,
    identifier: str,
    client_id: str,
    code: str,
    transaction_id: str | None = None,
) -> Redemption:
    """Check a code and, when it is right, consume it and find or create its user.

    Runs inside the caller's transaction, so whatever the code pays for (tokens, an
    authorization code, a finished login page) is written in the same atomic step.
    """
    rules = tenant.otp_rules
    settings = tenant.config.connection(connection)
    if settings is not None and not settings.brute_force_protection:
        # The connection's brute-force protection is off: no lock on the identifier.
        rules = dataclasses.replace(rules, lockout_after_failures=sys.maxsize)
    outcome = codes.check_code(
        db,
        secret=tenant.secret,
        rules=rules,
        connection=connection,
        identifier=identifier,
        client_id=client_id,
        code=code,
        now=tenant.clock.now(),
        transaction_id=transaction_id,
    )
    events.code_checked.send(outcome=outcome, connection=connection)
    if outcome is not codes.Outcome.OK:
        return Redemption(outcome)
    user = users.find_or_create(
        db,
        secret=tenant.secret,
        connection=connection,
        identifier=identifier,
        now=tenant.clock.now(),
    )
    users.mark_verified(db, user["user_id"])
    return Redemption(outcome, user)


def redeem_for(
    tenant,
    *,
    connection: str,
    identifier: str,
    client_id: str,
    code: str,
    pay: Callable[[object, dict], T],
) -> tuple[codes.Outcome, T | None]:
    """Redeem a code in a write of its own and, when it is right, let `pay` act for its user.

    What the code pays for (tokens, an authorization response, a login ticket) is written
    in the same transaction as the code's consumption, so no code pays twice.

    Returns:
        (the outcome, what `pay(db, user)` returned when the code was right).
    """
    with tenant.storage.transaction() as db:
        redeemed = redeem(
            db,
            tenant,
            connection=connection,
            identifier=identifier,
            client_id=client_id,
            code=code,
        )
        if redeemed.user is None:
            return redeemed.outcome, None
        return redeemed.outcome, pay(db, redeemed.user)


def login_with_code(
    tenant,
    client: Client,
    *,
    realm: str,
    identifier: str,
    code: str,
    scope: str | None,
    audience: str | None,
) -> tuple[codes.Outcome, dict | None]:
    """Redeem a code and mint tokens for it in one write (the OTP grant).

    Returns:
        (the outcome, Auth0's token response body when the code was right).
    """

    def mint(db, user: dict) -> dict:
        """Open a grant for the user and mint its tokens."""
        granted = minting.granted_scope(tenant, scope, audience)
        grant_id = grants.new_grant(
            db,
            client_id=client.client_id,
            user_id=user["user_id"],
            scope=granted,
            audience=audience,
            now=tenant.clock.now(),
        )
        login = minting.Login(client, user, granted, audience, grant_id, tenant.clock.now())
        return minting.mint(db, tenant, login)

    # https://auth0.com/docs/authenticate/passwordless/implement-login/embedded-login/relevant-api-endpoints
    return redeem_for(
        tenant,
        connection=realm,
        identifier=identifier,
        client_id=client.client_id,
        code=code,
        pay=mint,
    )


def start(
    tenant,
    client: Client,
    connection: Connection,
    identifier: str,
    *,
    send: str,
    auth_params: dict,
    allowance: tuple[str, int],
    language: str | None = None,
) -> tuple[throttle.Budget, int]:
    """`/passwordless/start`: count the request against its allowance and send, in one write.

    `allowance` is the caller's throttle bucket and its hourly limit; nothing is sent once
    the allowance is spent, but the request is counted all the same.

    Returns:
        (what is left of the allowance, the seconds left in the resend cooldown).
    """
    with tenant.storage.transaction() as db:
        budget = throttle.count(db, tenant.clock.now(), *allowance)
        if budget.retry_after:
            return budget, 0
        wait, message = issue(
            db,
            tenant,
            client,
            connection,
            identifier,
            send=send,
            auth_params=auth_params,
            language=language,
        )
    deliver(tenant, connection, message)
    return budget, wait
