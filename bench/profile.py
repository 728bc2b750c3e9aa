"""`python -m bench.profile`: where an OTP login's CPU goes (cProfile, the tenant in-process).

The tenant runs with the bench's configuration (send limits raised, inspector on) in a
temporary data directory, driven through Flask's test client: the same three requests as a
bench login, without the HTTP server, whose share the bench's floor row already shows.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench.run import start_body, tenant_config, token_form
from mock_tenant import create_app
from mock_tenant.config import load_config


def login(client, n: int) -> None:
    """Do one OTP login through the test client: start, read the code, exchange it."""
    email = f"user{n}@bench.test"
    started = client.post("/passwordless/start", json=start_body(email))
    if started.status_code != 200:
        raise RuntimeError(started.get_data(as_text=True))
    code = client.get("/_dev/api/outbox", query_string={"to": email}).json[0]["code"]
    tokens = client.post("/oauth/token", data=token_form(email, code, "openid profile email"))
    if tokens.status_code != 200:
        raise RuntimeError(tokens.get_data(as_text=True))


def main() -> int:
    """Profile a number of logins and print the top entries by own time and by cumulative time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-inspector", action="store_true")
    parser.add_argument(
        "--time-only", action="store_true", help="no cProfile: CPU milliseconds per login only"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = ("inspector = false",) if args.no_inspector else ()
        config = load_config(
            tenant_config(Path(tmp), *settings), issuer="http://localhost/", data_dir=tmp
        )
        client = create_app(config).test_client()
        for n in range(20):  # warm-up: imports, key loading, caches
            login(client, -n - 1)
        profiler = cProfile.Profile()
        started, cpu = time.perf_counter(), time.process_time()
        if not args.time_only:
            profiler.enable()
        for n in range(args.logins):
            login(client, n)
        profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{args.logins} logins in {elapsed:.2f} s{'' if args.time_only else ' under cProfile'}: "
        f"{1000 * elapsed / args.logins:.2f} ms per login, "
        f"{1000 * cpu / args.logins:.2f} ms of CPU\n"
    )
    if args.time_only:
        return 0
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
