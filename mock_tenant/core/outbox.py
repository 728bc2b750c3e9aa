"""The dev outbox: every email and SMS the tenant "sends" is stored here for people and tests."""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from ..config import Client, Connection, TenantSettings
from . import liquid
from .storage import Storage

log = logging.getLogger("mock_tenant.outbox")


def render(
    connection: Connection,
    client: Client,
    code: str,
    link: str | None,
    *,
    to: str,
    language: str | None = None,
    friendly_name: str = "",
) -> tuple:
    """Render a connection's Liquid templates with Auth0's variables; return (subject, text).

    The templates are the connection's own (checked at start); what a requester controls
    (the address, the language) reaches them as values, never as template code.
    https://auth0.com/docs/customize/email/email-templates (Passwordless Email)
    https://auth0.com/docs/authenticate/passwordless/authentication-methods/sms-otp
    """
    variables = {
        "code": code,
        "password": code,
        "link": link or "",
        "send": "link" if link else "code",
        # Auth0 sets `change_email` only when a passwordless email address is being changed.
        "operation": None,
        "request_language": language or "",
        "application": {"name": client.name, "clientID": client.client_id},
        "friendly_name": friendly_name,
    }
    if connection.strategy == "sms":
        return None, liquid.render(connection.template, {**variables, "phone_number": to})
    # Auth0: "in the Passwordless Email template only the `email` property of the `user`
    # object is available".
    variables["user"] = {"email": to}
    email = connection.email
    body = email.link_body if link and email.link_body else email.body
    return liquid.render(email.subject, variables), liquid.render(body, variables)


def record(db, *, channel, recipient, subject, text, code, link, now) -> int:
    """Store a message in the outbox inside the caller's transaction and return its id."""
    cursor = db.execute(
        "INSERT INTO outbox (channel, recipient, subject, text, code, link, sent_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (channel, recipient, subject, text, code, link, now),
    )
    return cursor.lastrowid


def messages(storage: Storage, to: str | None = None, limit: int = 200) -> list[dict]:
    """Return stored messages, newest first, optionally only those to one address."""
    where, params = ("WHERE recipient = ?", (to,)) if to else ("", ())
    rows = storage.query(
        f"SELECT * FROM outbox {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 (fixed text)
        (*params, limit),
    )
    return [
        {
            "id": row["id"],
            "channel": row["channel"],
            "to": row["recipient"],
            "subject": row["subject"],
            "text": row["text"],
            "code": row["code"],
            "link": row["link"],
            "sent_at": row["sent_at"],
        }
        for row in rows
    ]


def clear(storage: Storage, to: str | None = None) -> int:
    """Delete stored messages (all, or those to one address) and return how many went."""
    with storage.transaction() as db:
        if to:
            return db.execute("DELETE FROM outbox WHERE recipient = ?", (to,)).rowcount
        return db.execute("DELETE FROM outbox").rowcount


def deliver_by_smtp(settings: TenantSettings, sender: str, to: str, subject: str, text: str):
    """Also hand an email to a real SMTP server (a mail catcher), when one is configured."""
    if not settings.smtp_host:
        return
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(text)
    # In the background: a slow or silent mail server must not hold up the answer, nor,
    # where the caller holds the database's write lock, every other login (or fail it, 503).
    threading.Thread(
        target=_send, args=(settings.smtp_host, settings.smtp_port, message), daemon=True
    ).start()


def _send(host: str, port: int, message: EmailMessage) -> None:
    """Send one message over SMTP, logging (not raising) a failure."""
    try:
        with smtplib.SMTP(host, port, timeout=5) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The outbox already has the message; a missing mail catcher must not fail a login.
        log.warning("SMTP delivery to %s:%s failed: %s", host, port, error)
