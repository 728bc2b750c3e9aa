"""The tenant's request log as honcho shows it: one timestamp per line, no dev-page polling."""

import re
import time

import requests

from tests.servers import TenantProcess


def test_under_honcho_a_request_line_has_one_time_and_the_dev_pages_polling_is_left_out(
    tmp_path, monkeypatch
):
    # `make run-web` runs the tenant under honcho with LOG_TIMESTAMPS=0: honcho adds the time.
    monkeypatch.setenv("LOG_TIMESTAMPS", "0")
    process = TenantProcess(tmp_path / "data", workers=1)
    server = process.start()
    try:
        # The outbox and inspector pages poll from the tenant's own origin...
        page = {"Sec-Fetch-Site": "same-origin"}
        requests.get(server.url("_dev/api/outbox"), headers=page, timeout=10)
        requests.get(server.url("_dev/api/events"), headers=page, timeout=10)
        # ...while a learner's curl of the same JSON, and the protocol, are logged.
        requests.get(server.url("_dev/api/outbox"), timeout=10)
        requests.get(server.url(".well-known/jwks.json"), timeout=10)
        deadline = time.monotonic() + 10
        while "jwks.json" not in process.log() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.stop()
    log = process.log()
    requests_logged = [line for line in log.splitlines() if '"GET /_dev/' in line or "jwks" in line]
    assert requests_logged == [
        'mock_tenant.requests 127.0.0.1 "GET /_dev/api/outbox" 200',
        'mock_tenant.requests 127.0.0.1 "GET /.well-known/jwks.json" 200',
    ]
    assert not re.search(r"\d\d:\d\d:\d\d", log), log
