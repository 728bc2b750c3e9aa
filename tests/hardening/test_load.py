"""A bounded load run: simulated users doing complete OTP logins against gunicorn workers.

No timing assertion (the machine may be busy): zero errors, every code used exactly once,
one grant per login. The throughput is printed (`pytest -s`) and recorded as a user
property of the test (in JUnit XML), and summed up at the end of the run by
tests/hardening/conftest.py.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.hardening.support import otp_login
from tests.servers import serve_tenant, tenant_workers

pytestmark = pytest.mark.skipif(
    tenant_workers() > 1, reason="starts its own tenant processes; ran in the first pass"
)

USERS = 8
LOGINS = 200
WORKERS = 3
# Where the summary lines go for tests/hardening/conftest.py to print.
LOAD_RESULTS = pytest.StashKey[list]()


def test_load_complete_otp_logins_without_errors(tmp_path, request):
    # Every request comes from 127.0.0.1: raise the per-IP start limit out of the way.
    with serve_tenant(
        tmp_path / "tenant", workers=WORKERS, start_rate_limit_per_hour=1_000_000
    ) as server:
        storage = server.tenant.storage
        users_before = storage.query_one("SELECT count(*) AS n FROM users")["n"]
        numbers = iter(range(LOGINS))
        lock = threading.Lock()
        errors: list[str] = []

        def user(n: int) -> int:
            done = 0
            while True:
                with lock:
                    number = next(numbers, None)
                if number is None:
                    return done
                email = f"load-{number}@example.com"
                try:
                    response = otp_login(server, email, scope="openid email")
                except Exception as error:  # noqa: BLE001 (reported, not raised)
                    errors.append(f"{email}: {error!r}")
                    continue
                if response.status_code != 200:
                    errors.append(f"{email}: {response.status_code} {response.text}")
                done += 1

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=USERS) as pool:
            per_user = list(pool.map(user, range(USERS)))
        seconds = time.monotonic() - began

        assert errors == []
        assert sum(per_user) == LOGINS
        # Every code was used once: none left, one grant and one access token per login.
        assert storage.query("SELECT * FROM otp_codes") == []
        assert storage.query_one("SELECT count(*) AS n FROM grants")["n"] == LOGINS
        assert storage.query_one("SELECT count(*) AS n FROM access_tokens")["n"] == LOGINS
        assert storage.query_one("SELECT count(*) AS n FROM users")["n"] == users_before + LOGINS
        assert storage.query_one("SELECT count(*) AS n FROM outbox")["n"] == LOGINS

    rate = LOGINS / seconds
    summary = (
        f"load: {LOGINS} OTP logins by {USERS} users against {WORKERS} gunicorn workers "
        f"in {seconds:.1f} s = {rate:.1f} logins/s"
    )
    print(summary)
    request.node.user_properties.append(("logins_per_second", round(rate, 1)))
    request.config.stash.setdefault(LOAD_RESULTS, []).append(summary)
