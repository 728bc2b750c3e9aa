"""With an SMTP server configured, the tenant also delivers its emails there (a mail catcher)."""

import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import otp_token, start
from tools.launcher import free_port

SMTP_PORT = free_port()
SILENT_PORT = free_port()


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keep the message and accept it."""
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 5.0) -> list:
        """Return the messages once `count` have arrived (delivery may run in the background)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def mailbox():
    """Run a local SMTP server on a loopback port, like Mailpit would be."""
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def silent_smtp_server():
    """Listen on a loopback port and never answer: a mail server that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", SILENT_PORT))
        listener.listen(8)
        yield


@pytest.mark.tenant_config(smtp_host="127.0.0.1", smtp_port=SMTP_PORT)
def test_an_email_code_reaches_the_smtp_server(tenant_server, mailbox):
    # Ask for a code by email.
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "mail@example.com",
        "send": "code",
    }
    assert start(tenant_server, body).status_code == 200
    # The SMTP server gets the same message as the outbox, addressed to the person.
    [envelope] = mailbox.wait_for(1)
    assert envelope.rcpt_tos == ["mail@example.com"]
    assert envelope.mail_from == "no-reply@passwordless-demo.test"
    email = message_from_bytes(envelope.content, policy=policy.default)
    [stored] = tenant_server.outbox("mail@example.com")
    assert email["To"] == "mail@example.com"
    assert email["Subject"] == stored["subject"]
    assert stored["code"] in email.get_content()
    # And the code in it works.
    assert otp_token(tenant_server, "mail@example.com", stored["code"]).status_code == 200


@pytest.mark.tenant_config(smtp_host="127.0.0.1", smtp_port=SMTP_PORT)
def test_a_magic_link_reaches_the_smtp_server(tenant_server, mailbox):
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "link@example.com",
        "send": "link",
    }
    assert start(tenant_server, body).status_code == 200
    [envelope] = mailbox.wait_for(1)
    [stored] = tenant_server.outbox("link@example.com")
    assert (
        stored["link"] in message_from_bytes(envelope.content, policy=policy.default).get_content()
    )


@pytest.mark.tenant_config(smtp_host="127.0.0.1", smtp_port=SMTP_PORT)
def test_sms_messages_are_not_emailed(tenant_server, mailbox):
    body = {"client_id": NATIVE_CLIENT, "connection": "sms", "phone_number": "+15555550195"}
    assert start(tenant_server, body).status_code == 200
    # Then an email, as a marker: once it has arrived, the SMS would have too.
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "after@example.com",
        "send": "code",
    }
    assert start(tenant_server, body).status_code == 200
    assert [e.rcpt_tos for e in mailbox.wait_for(1)] == [["after@example.com"]]


@pytest.mark.tenant_config(smtp_host="127.0.0.1", smtp_port=free_port())
def test_a_missing_smtp_server_does_not_fail_the_login(tenant_server):
    # Nothing listens on that port: the message still lands in the outbox, and the code works.
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "nosmtp@example.com",
        "send": "code",
    }
    assert start(tenant_server, body).status_code == 200
    code = tenant_server.last_code("nosmtp@example.com")
    assert otp_token(tenant_server, "nosmtp@example.com", code).status_code == 200


@pytest.mark.tenant_config(smtp_host="127.0.0.1", smtp_port=SILENT_PORT, busy_timeout=0.5)
def test_a_hanging_smtp_server_holds_up_neither_the_request_nor_the_database(
    tenant_server, silent_smtp_server
):
    # The mail server accepts the connection and then says nothing.
    body = {
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": "slow@example.com",
        "send": "code",
    }
    started = time.monotonic()
    assert start(tenant_server, body).status_code == 200
    assert time.monotonic() - started < 2
    # Other writes go on meanwhile: the code can be redeemed at once.
    code = tenant_server.last_code("slow@example.com")
    assert otp_token(tenant_server, "slow@example.com", code).status_code == 200
