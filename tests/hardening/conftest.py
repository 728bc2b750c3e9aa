"""Show the load test's throughput at the end of the run, even without `-s`."""

from __future__ import annotations

from tests.hardening.test_load import LOAD_RESULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the load run's numbers in pytest's summary."""
    results = config.stash.get(LOAD_RESULTS, [])
    if results:
        terminalreporter.section("load")
        for line in results:
            terminalreporter.write_line(line)
