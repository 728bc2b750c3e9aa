"""The dev outbox: every email and SMS the tenant "sends" is stored here for people and tests."""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from ..config import Client, Connection, TenantSettings
from .storage import Storage

log = logging.getLogger("mock_tenant.outbox")


def render(connection: Connection, client: Client, code: str, link: str | None) -> tuple:
    """Fill a connection's template with Auth0's placeholders and return (subject, text)."""
    # Plain replacement, not a template engine: user-controlled text never runs as code.
    values = {
        "{{ code }}": code,
        "{{ link }}": link or "",
        "{{ application.name }}": client.name,
        "@@password@@": code,
        "@@application.name@@": client.name,
    }

    def fill(template: str) -> str:
        for placeholder, value in values.items():
            template = template.replace(placeholder, value)
        return template

    if connection.strategy == "sms":
        return None, fill(connection.template)
    body = connection.email.link_body if link else connection.email.body
    return fill(connection.email.subject), fill(body)


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
    # In the background: the caller holds the database's write lock, and a slow or silent
    # mail server must not keep every other login waiting for it (or failing with 503).
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
