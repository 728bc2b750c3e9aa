"""The database file taken away or made read-only under a running tenant, and slow clients.

An open SQLite connection keeps using a file that was deleted (its old inode) or made
read-only (the descriptor was opened for writing), so without a check the tenant would go on
answering from a ghost, or write where nobody reads. It must fail closed (503), say so once in
its log, and answer again when the file is back. A client that opens a connection and sends
nothing must not stop the single-process server from answering others.
"""

from __future__ import annotations

import logging
import os
import socket
import time

import pytest
import requests

from tests.constants import NATIVE_CLIENT
from tests.mock_tenant.helpers import TIMEOUT, assert_error, start
from tests.servers import serve_tenant

pytestmark = pytest.mark.skipif(
    os.environ.get("TENANT_WORKERS", "1") != "1", reason="in-process tenant only"
)

BODY = {"client_id": NATIVE_CLIENT, "connection": "email", "email": "ada@example.com"}


def _start(server) -> requests.Response:
    return start(server, {**BODY, "send": "code"})


def test_a_deleted_database_fails_closed_and_recovers_when_it_comes_back(tmp_path, caplog):
    database = tmp_path / "tenant" / "tenant.sqlite3"
    with serve_tenant(tmp_path / "tenant") as server:
        assert _start(server).status_code == 200
        with caplog.at_level(logging.INFO, logger="mock_tenant.storage"):
            database.rename(tmp_path / "moved-away.sqlite3")
            assert_error(_start(server), 503, "temporarily_unavailable")
            assert_error(_start(server), 503, "temporarily_unavailable")
            (tmp_path / "moved-away.sqlite3").rename(database)
            assert _start(server).status_code == 200
        missing = [r for r in caplog.records if "is missing" in r.getMessage()]
        assert len(missing) == 1, "one clear line, not one per request"
        assert any("usable again" in r.getMessage() for r in caplog.records)
        # The data is the same as before: the code sent earlier is in the outbox.
        assert len(server.outbox("ada@example.com")) == 2


def test_a_read_only_database_fails_closed_and_recovers(tmp_path, caplog):
    database = tmp_path / "tenant" / "tenant.sqlite3"
    with serve_tenant(tmp_path / "tenant") as server:
        assert _start(server).status_code == 200
        with caplog.at_level(logging.INFO, logger="mock_tenant.storage"):
            database.chmod(0o400)
            try:
                assert_error(_start(server), 503, "temporarily_unavailable")
                # Reads still answer.
                assert server.outbox("ada@example.com")
            finally:
                database.chmod(0o600)
            assert _start(server).status_code == 200
        assert any("read-only" in r.getMessage() for r in caplog.records)


def test_a_slow_client_holding_connections_does_not_stop_the_server(tenant_server):
    host, port = tenant_server.base_url.removeprefix("http://").split(":")
    idle = []
    try:
        for _ in range(20):
            # Slowloris: connect, send half a request line, then nothing.
            conn = socket.create_connection((host, int(port)), timeout=TIMEOUT)
            conn.sendall(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: ")
            idle.append(conn)
        began = time.monotonic()
        response = requests.get(tenant_server.url(".well-known/jwks.json"), timeout=TIMEOUT)
        assert response.status_code == 200
        assert time.monotonic() - began < 2
    finally:
        for conn in idle:
            conn.close()
