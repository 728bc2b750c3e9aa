"""Fixtures shared by every part's tests: a live tenant and a browser that works here."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from mock_tenant.core import key_pool
from tests.servers import TenantServer, serve_tenant, tenant_workers

# Fixtures through which pytest-playwright starts its (session-long) sync API.
PLAYWRIGHT_FIXTURES = {"playwright", "browser", "browser_type", "context", "page"}

# The name of the key pool's run that this process started (use_the_key_pool, below).
KEY_POOL_RUN = pytest.StashKey[str]()


def pytest_configure(config):
    """Register the markers and the run order; in the controller, turn the key pool on."""
    config.addinivalue_line(
        "markers",
        "in_process: needs the tenant's Flask app in the test process (skipped when "
        "TENANT_WORKERS > 1 runs the tenant as gunicorn subprocesses)",
    )
    config.addinivalue_line(
        "markers",
        "slow(seconds=N): seconds a test (a browser walk, a Pilot-driven terminal app, a built "
        "wheel), N in all for the file's marked tests; left out of `make test-fast` and "
        "handed out first by `make test`, the longest first",
    )
    config.pluginmanager.register(RunOrder(), "run-order")
    if not hasattr(config, "workerinput"):
        use_the_key_pool(config)


def use_the_key_pool(config) -> None:
    """Let this run's tenants take RSA keys from var/test-keys, a run of their own.

    Set in the controller's environment, so xdist workers and every tenant subprocess
    inherit it (mock_tenant/core/key_pool.py says why and how tenants never share a key).
    MOCK_TENANT_KEY_POOL names another folder; set empty, it turns the pool off. A pytest
    run inside a run (one already named) joins it, so its tenants claim keys with the others.
    """
    os.environ.setdefault(key_pool.POOL_ENV, str(config.rootpath / "var" / "test-keys"))
    if not os.environ.get(key_pool.RUN_ENV):
        os.environ[key_pool.RUN_ENV] = run = uuid.uuid4().hex
        config.stash[KEY_POOL_RUN] = run


def pytest_unconfigure(config):
    """Forget the claims of this run on the key pool (its keys stay, for the next run)."""
    if (run := config.stash.get(KEY_POOL_RUN, None)) and os.environ.get(key_pool.POOL_ENV):
        shutil.rmtree(Path(os.environ[key_pool.POOL_ENV]) / "claims" / run, ignore_errors=True)


def pytest_addoption(parser):
    """Add `--within FOLDER`, which keeps only the selected tests under a folder."""
    parser.addoption(
        "--within",
        action="append",
        default=[],
        metavar="FOLDER",
        help="keep only the selected tests under FOLDER (repeatable); unlike a path "
        "argument it narrows what the other arguments select (`make test-workers`)",
    )


def uses_a_browser(item) -> bool:
    """Tell whether a test starts Playwright (through one of its fixtures)."""
    return bool(PLAYWRIGHT_FIXTURES & set(getattr(item, "fixturenames", ())))


def is_within(item, folders: list[Path]) -> bool:
    """Tell whether a test's file lies under one of the folders."""
    return any(item.path.is_relative_to(folder) for folder in folders)


def group_by_file(items) -> None:
    """Keep each file's tests on one xdist worker (`--dist loadgroup`), browser tests apart.

    A file's module-scoped fixtures (a built wheel, a web stack) then start once, not once
    per worker. A file's browser tests form a group of their own, which the scheduler hands
    out among the other browser groups at the end: a worker that has started Playwright
    must get no `async def` test after it (see below).
    """
    for item in items:
        group = item.path.relative_to(item.config.rootpath).as_posix()
        if item.get_closest_marker("e2e"):
            group += ":e2e"
        item.add_marker(pytest.mark.xdist_group(group))


# tryfirst: the `e2e` marks added here must be in place before `-m` selects tests.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark browser tests `e2e`, group by file, apply --within, skip in_process tests if need be.

    Every test that starts Playwright gets the `e2e` marker, so `-m "not e2e"` leaves out
    every browser test, whichever folder it lives in.
    """
    for item in items:
        if uses_a_browser(item):
            item.add_marker(pytest.mark.e2e)
    # Here, before xdist's own hook turns the groups into node ids (xdist/remote.py:
    # `@group` suffixes); marks added after it are not seen, and every test goes out alone.
    if config.pluginmanager.hasplugin("xdist"):
        group_by_file(items)

    if folders := [Path(folder).resolve() for folder in config.getoption("within")]:
        outside = [item for item in items if not is_within(item, folders)]
        if outside:
            config.hook.pytest_deselected(items=outside)
            items[:] = [item for item in items if is_within(item, folders)]

    if tenant_workers() > 1:
        skip = pytest.mark.skip(reason="needs the tenant in this process; TENANT_WORKERS > 1")
        for item in items:
            if item.get_closest_marker("in_process"):
                item.add_marker(skip)


class RunOrder:
    """The order tests run in, set after every other plugin has reordered them."""

    # trylast: pytest's own reordering (tests sharing a parametrized session fixture are
    # pulled next to each other) would otherwise move browser tests back among the others.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        """Run browser tests last, and in each half the files marked `slow` first, longest first.

        Playwright's sync API leaves an asyncio loop marked as running on the main thread
        from the first browser test to the end of the session; pytest-asyncio cannot start
        a loop after that, so any `async def` test run later would fail. Moving browser
        tests last (keeping every other order) avoids it.

        xdist hands out files in this order, so the slow ones start while the other
        processes still have short ones to take, instead of being the last minute of the
        run; longest first, because a process that takes a 30-s file last ends the run
        alone. (In collection order the one-test workshop walk and the plugin's Classic
        file, 29 and 30 s, went to one process one after the other, as a process takes its
        next file when two of its tests are left: the first pass ended 22 s after the other
        processes' last test.)
        """
        items.sort(
            key=lambda item: (item.get_closest_marker("e2e") is not None, -slow_seconds(item))
        )


def slow_seconds(item) -> float:
    """Return the seconds a `slow` mark gives the test's file (1 if it gives none), else 0."""
    marker = item.get_closest_marker("slow")
    return 0.0 if marker is None else marker.kwargs.get("seconds", 1.0)


@pytest.fixture(scope="session")
def shared_tenant(tmp_path_factory) -> TenantServer:
    """Run one tenant for the whole session (tests reset it instead of restarting it).

    With TENANT_WORKERS=N (N > 1) it is `python -m mock_tenant --workers N` (gunicorn).
    """
    with serve_tenant(tmp_path_factory.mktemp("tenant")) as server:
        yield server


@pytest.fixture(scope="session")
def shared_hardened_tenant(tmp_path_factory) -> TenantServer:
    """Run one tenant with the `hardened` profile for every test that asks for only that."""
    with serve_tenant(tmp_path_factory.mktemp("hardened"), profile="hardened") as server:
        yield server


@pytest.fixture(scope="module")
def module_tenants(tmp_path_factory) -> Iterator[Callable[[dict], TenantServer]]:
    """Give a module's tests one tenant per set of settings, reset, stopped when they end."""
    with ExitStack() as running:
        tenants: dict[tuple, TenantServer] = {}

        def tenant_with(settings: dict) -> TenantServer:
            """Return the module's tenant with these settings, reset, starting it the first time."""
            key = tuple(sorted(settings.items()))
            if key in tenants:
                tenants[key].reset()
            else:
                folder = tmp_path_factory.mktemp("tenant-with-settings")
                tenants[key] = running.enter_context(serve_tenant(folder, **settings))
            return tenants[key]

        yield tenant_with


@pytest.fixture
def tenant_server(request, shared_tenant, tmp_path) -> Iterator[TenantServer]:
    """Give a test a clean live tenant, with the settings its `tenant_config` marker names.

    `@pytest.mark.tenant_config(profile="hardened")` alone shares one hardened tenant, reset
    before each test, as the default profile's tests share `shared_tenant`. Other settings:
    the module's tests that name the same ones share a tenant, reset before each test (a
    start costs more than a test: RSA keys, and under TENANT_WORKERS a gunicorn). A bare
    `@pytest.mark.tenant_config()` gets a tenant of the test's own, started and stopped.
    """
    marker = request.node.get_closest_marker("tenant_config")
    if marker is None:
        shared_tenant.reset()
        yield shared_tenant
        return
    if marker.kwargs == {"profile": "hardened"} and not marker.args:
        hardened = request.getfixturevalue("shared_hardened_tenant")
        hardened.reset()
        yield hardened
        return
    if not marker.kwargs:
        with serve_tenant(tmp_path / "tenant") as server:
            yield server
        return
    yield request.getfixturevalue("module_tenants")(marker.kwargs)


def _chromium_path(headless: bool) -> str | None:
    """Return the system Chromium to launch, if any: its headless shell for a headless run.

    Playwright runs headless tests in Chromium's headless shell, a lighter build than the
    whole browser (https://github.com/microsoft/playwright/issues/33566); Debian packages it
    as chromium-headless-shell, and the Makefile names it in CHROMIUM_HEADLESS_SHELL (set it
    empty to use CHROMIUM_PATH for everything). A headed run needs the whole browser.
    """
    shell = os.environ.get("CHROMIUM_HEADLESS_SHELL", "/usr/bin/chromium-headless-shell")
    if headless and shell and Path(shell).exists():
        return shell
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


# Chromium's switches for every browser the tests start.
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed when tests run as root (CI does)
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Less work per page on a machine without a GPU, shared by two test processes.
    "--disable-gpu",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium when present, without reaching for the internet."""
    args = {**browser_type_launch_args}
    if path := _chromium_path(headless=args.get("headless", True)):
        args["executable_path"] = path
    args["args"] = [*args.get("args", []), *CHROMIUM_ARGS]
    return args


@pytest.fixture(scope="session")
def whole_chromium(playwright, browser_type_launch_args):
    """Launch the whole Chromium in its (new) headless mode, for what the shell does otherwise.

    The headless shell lets a third-party cookie through where Chromium blocks it; the test
    of that block needs the browser learners use. Without a system Chromium, Playwright's
    own `chromium` channel is the whole browser.
    """
    path = _chromium_path(headless=False)
    where = {"executable_path": path} if path else {"channel": "chromium"}
    browser = playwright.chromium.launch(
        **{**browser_type_launch_args, "executable_path": None, **where}
    )
    yield browser
    browser.close()


@pytest.fixture
def whole_chromium_page(whole_chromium, browser_context_args):
    """Open a page in a fresh context of the whole Chromium."""
    context = whole_chromium.new_context(**browser_context_args)
    yield context.new_page()
    context.close()
