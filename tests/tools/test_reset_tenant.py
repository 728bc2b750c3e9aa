"""`make reset` (tools/reset_tenant.py): resets a running tenant, says so when none answers."""

import socket

from tests.mock_tenant.helpers import send_email_code
from tools.reset_tenant import main


def test_make_reset_empties_the_outbox_of_the_running_tenant(tenant_server, capsys):
    send_email_code(tenant_server, "chapter@example.com")
    assert main(["reset_tenant", tenant_server.url("")]) == 0
    assert "forgot its users" in capsys.readouterr().out
    assert tenant_server.outbox() == []


def test_make_reset_says_clearly_when_no_tenant_answers(capsys):
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["reset_tenant", f"http://127.0.0.1:{port}"]) == 1
    assert f"No tenant answers at http://127.0.0.1:{port}" in capsys.readouterr().out
