"""`make bench`: the tenant's speed next to a peer (oidc-provider-mock) and the floor (bare Flask).

Every server runs as its own process on a loopback port, driven by the same client threads.
A "login" is what each server needs for one: for our tenant and the floor, three requests
(start, read the code from the outbox, exchange it) and two RS256 signatures; for the peer,
its authorization-code login (authorize POST, then the token exchange).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tools.launcher import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"
RESULTS = ROOT / "bench" / "results"


class Server:
    """A server process on a loopback port, with its start time and memory."""

    def __init__(self, name: str, command: list[str]):
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = ServerProcess(
            [c.replace("{port}", str(self.port)) for c in command],
            self.base + "/.well-known/openid-configuration",
            name=name,
            cwd=ROOT,
        )
        started = time.perf_counter()
        self.process.start(timeout=60)
        self.cold_start = time.perf_counter() - started
        self.idle_rss_mb = self.memory_mb("VmRSS")

    def memory_mb(self, field: str) -> float:
        """Sum a /proc memory field (VmRSS now, VmHWM peak) over the process and its children."""
        total, pids = 0, [self.process.pid]
        while pids:
            pid = pids.pop()
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith(field + ":")
            )
            pids += [int(child) for child in children]
        return round(total / 1024, 1)

    def stop(self) -> None:
        """Stop the process (and gunicorn's workers with it)."""
        self.process.stop()


def tenant_config(directory: Path, *settings: str) -> Path:
    """Write a tenant config with the send limits raised, so the run measures work, not 429s."""
    text = (ROOT / "mock_tenant" / "tenant.toml").read_text()
    extra = "\n".join(("start_rate_limit_per_hour = 100000000", "resend_cooldown = 0", *settings))
    text = text.replace("otp_lifetime = 180", "otp_lifetime = 180\n" + extra)
    path = directory / f"tenant-{len(settings)}.toml"
    path.write_text(text)
    return path


def otp_login(http: requests.Session, base: str, email: str, scope: str) -> dict:
    """Do one OTP login on our tenant (start, read the code, exchange it) and return tokens."""
    http.post(
        base + "/passwordless/start",
        json={
            "client_id": "demo-native-app",
            "connection": "email",
            "email": email,
            "send": "code",
        },
        timeout=30,
    ).raise_for_status()
    code = http.get(base + "/_dev/api/outbox", params={"to": email}, timeout=30).json()[0]["code"]
    response = http.post(
        base + "/oauth/token",
        data={
            "grant_type": OTP_GRANT,
            "client_id": "demo-native-app",
            "username": email,
            "otp": code,
            "realm": "email",
            "scope": scope,
            "audience": "urn:passwordless-demo:api",
        },
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def our_login(http: requests.Session, base: str, n: int) -> None:
    """Log a new user in on our tenant."""
    otp_login(http, base, f"user{n}-{threading.get_ident()}@bench.test", "openid profile email")


def floor_login(http: requests.Session, base: str, n: int) -> None:
    """Do the floor's three requests (the last one signs two JWTs)."""
    http.post(base + "/passwordless/start", json={"email": "x@bench.test"}, timeout=30)
    http.get(base + "/_dev/api/outbox", timeout=30).raise_for_status()
    http.post(base + "/oauth/token", data={"otp": "123456"}, timeout=30).raise_for_status()


def peer_login(http: requests.Session, base: str, n: int) -> None:
    """Do oidc-provider-mock's authorization-code login: authorize POST, then the token exchange."""
    redirect_uri = "http://localhost/callback"
    response = http.post(
        base + "/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": "bench",
            "redirect_uri": redirect_uri,
            "scope": "openid profile email",
            "state": "s",
            "nonce": f"n{n}",
        },
        data={"sub": f"user{n}@bench.test"},
        allow_redirects=False,
        timeout=30,
    )
    code = requests.utils.urlparse(response.headers["Location"]).query.split("code=")[1]
    code = code.split("&")[0]
    http.post(
        base + "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        },
        auth=("bench", "secret"),
        timeout=30,
    ).raise_for_status()


def drive(base: str, action: Callable, total: int, concurrency: int) -> dict:
    """Run `total` actions over `concurrency` threads; return rate and latency percentiles."""
    latencies: list[float] = []
    errors: list[Exception] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        http = requests.Session()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            started = time.perf_counter()
            try:
                action(http, base, n)
            except Exception as error:  # noqa: BLE001 (counted and reported)
                with lock:
                    errors.append(error)
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "count": len(latencies),
        "errors": len(errors),
    }


def refresh_rate(base: str, total: int, concurrency: int) -> dict:
    """Measure refresh grants per second on our tenant, each thread following its rotation."""
    chains: dict[int, str] = {}

    def refresh(http: requests.Session, base: str, n: int) -> None:
        slot = threading.get_ident()
        if slot not in chains:
            tokens = otp_login(http, base, f"refresh{slot}@bench.test", "openid offline_access")
            chains[slot] = tokens["refresh_token"]
        response = http.post(
            base + "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "demo-native-app",
                "refresh_token": chains[slot],
            },
            timeout=30,
        )
        response.raise_for_status()
        chains[slot] = response.json()["refresh_token"]

    return drive(base, refresh, total, concurrency)


def tui_first_screen() -> float:
    """Return the seconds from starting the terminal app's process to its first screen."""
    script = (
        "import sys, time\n"
        "from native_tui_app.__main__ import build_app, parse_args\n"
        "app = build_app(parse_args([]))\n"
        "async def leave(pilot):\n"
        "    await pilot.pause()\n"
        "    pilot.app.exit()\n"
        "app.run(headless=True, auto_pilot=leave)\n"
    )
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    return time.perf_counter() - started


def machine() -> dict:
    """Describe the machine the numbers come from."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def main() -> int:
    """Run every measurement, print the table and write it as JSON to bench/results/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=300, help="logins per measurement")
    parser.add_argument("--levels", default="1,4,16", help="client concurrency levels")
    parser.add_argument("--workers", type=int, default=4, help="workers for the multi-process run")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    python = sys.executable
    results: dict = {"machine": machine(), "logins_per_measurement": args.logins, "runs": {}}

    with tempfile.TemporaryDirectory() as tmp:
        config = tenant_config(Path(tmp))
        quiet = tenant_config(Path(tmp), "inspector = false")
        setups = {
            "ours (1 process)": (
                [
                    python,
                    "-m",
                    "mock_tenant",
                    "--port",
                    "{port}",
                    "--config",
                    str(config),
                    "--data-dir",
                    f"{tmp}/one",
                ],
                our_login,
            ),
            f"ours ({args.workers} workers)": (
                [
                    python,
                    "-m",
                    "mock_tenant",
                    "--port",
                    "{port}",
                    "--config",
                    str(config),
                    "--data-dir",
                    f"{tmp}/many",
                    "--workers",
                    str(args.workers),
                ],
                our_login,
            ),
            "ours (1 process, no inspector)": (
                [
                    python,
                    "-m",
                    "mock_tenant",
                    "--port",
                    "{port}",
                    "--config",
                    str(quiet),
                    "--data-dir",
                    f"{tmp}/quiet",
                ],
                our_login,
            ),
            "peer (oidc-provider-mock)": (
                [python, "bench/peer_server.py", "--port", "{port}"],
                peer_login,
            ),
            "floor (bare Flask + RS256)": (
                [python, "bench/floor_server.py", "--port", "{port}"],
                floor_login,
            ),
        }
        for name, (command, login) in setups.items():
            server = Server(name, command)
            try:
                run = {
                    "cold_start_s": round(server.cold_start, 3),
                    "idle_rss_mb": server.idle_rss_mb,
                    "levels": {},
                }
                drive(server.base, login, 20, 2)  # warm-up: imports, caches, key loading
                for level in levels:
                    run["levels"][level] = drive(server.base, login, args.logins, level)
                if name.startswith("ours"):
                    run["refresh"] = refresh_rate(server.base, args.logins, max(levels))
                run["peak_rss_mb"] = server.memory_mb("VmHWM")
                results["runs"][name] = run
            finally:
                server.stop()
        # A second start on the same data: what a developer waits for on every `make run-*`.
        warm = Server("ours (restart)", setups["ours (1 process)"][0])
        results["ours_restart_cold_start_s"] = round(warm.cold_start, 3)
        warm.stop()
    results["tui_first_screen_s"] = round(tui_first_screen(), 3)

    report(results, levels)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / time.strftime("bench-%Y%m%d-%H%M%S.json")
    path.write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {path.relative_to(ROOT)}")
    return 0


def report(results: dict, levels: list[int]) -> None:
    """Print the table with the ratios the targets are stated in."""
    runs = results["runs"]
    ours = runs["ours (1 process)"]
    peer = runs["peer (oidc-provider-mock)"]
    floor = runs["floor (bare Flask + RS256)"]
    print(
        f"\nMachine: {results['machine']['cpu']}, {results['machine']['cores']} cores, "
        f"Python {results['machine']['python']}"
    )
    print(f"\n{'server':30} {'conc':>4} {'logins/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for name, run in runs.items():
        for level in levels:
            m = run["levels"][level]
            print(
                f"{name:30} {level:>4} {m['per_second']:>9} {m['p50_ms']:>8} "
                f"{m['p95_ms']:>8} {m['errors']:>6}"
            )
    print(f"\n{'server':30} {'cold start s':>12} {'idle MB':>8} {'peak MB':>8} {'refresh/s':>10}")
    for name, run in runs.items():
        refresh = run.get("refresh", {}).get("per_second", "")
        print(
            f"{name:30} {run['cold_start_s']:>12} {run['idle_rss_mb']:>8} "
            f"{run['peak_rss_mb']:>8} {refresh:>10}"
        )
    print(
        f"\nRestart on existing data: {results['ours_restart_cold_start_s']} s; "
        f"terminal app to first screen: {results['tui_first_screen_s']} s"
    )
    print("\nRatios (at each concurrency level):")
    ratios = {}
    quiet = runs["ours (1 process, no inspector)"]
    for level in levels:
        o, q, p, f = (run["levels"][level]["per_second"] for run in (ours, quiet, peer, floor))
        ratios[level] = {
            "ours_over_peer": round(o / p, 2),
            "floor_cost_ratio": round(f / o, 2),
            "floor_cost_ratio_without_inspector": round(f / q, 2),
        }
        print(
            f"  concurrency {level:>2}: ours/peer logins/s = {o / p:.2f} (target >= 2), "
            f"our cost per login / floor's = {f / o:.2f} (target <= 1.5; "
            f"{f / q:.2f} without the inspector)"
        )
    results["ratios"] = ratios


if __name__ == "__main__":
    sys.exit(main())
