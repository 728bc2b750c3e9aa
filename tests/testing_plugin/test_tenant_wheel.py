"""The tenant's own wheel: its data files, no demo app, a tenant that starts from it."""

import configparser
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

from tests.constants import WEB_CALLBACK, WEB_CLIENT
from tools.launcher import ServerProcess, free_port

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=3)

ROOT = Path(__file__).resolve().parents[2]
# What the demo apps need and the tenant must not pull into another project.
DEMO_ONLY = {"textual", "flask-session", "cachelib", "honcho", "python-dotenv", "requests"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the tenant's wheel from packaging/tenant (hatchling, as pinned there)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(  # noqa: S603 (this interpreter's pip, a folder of this repository)
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(out),
            str(ROOT / "packaging" / "tenant"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("passwordless_tenant-*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_tenant_package_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    # git from PATH, listing this repository's files.
    listing = ["git", "ls-files", "mock_tenant"]
    tracked = subprocess.run(  # noqa: S603, S607
        listing, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    # The browser files built into static/vendor/ by `make setup` are served too.
    static = ROOT / "mock_tenant" / "static"
    built = [path.relative_to(ROOT).as_posix() for path in static.rglob("*") if path.is_file()]
    # mock_tenant/assets/ holds the npm sources static/vendor/ is built from: not served.
    wanted = [name for name in tracked + built if not name.startswith("mock_tenant/assets/")]
    missing = [name for name in wanted if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert not [name for name in names if name.startswith("mock_tenant/assets/")]
    packages = {name.split("/")[0] for name in names if not name.endswith(".dist-info/RECORD")}
    assert packages == {"mock_tenant", "passwordless_tenant-0.1.0.dist-info"}
    assert not [name for name in names if "__pycache__" in name]


def test_the_wheel_declares_the_command_the_plugin_and_no_demo_dependency(wheel):
    archive = zipfile.ZipFile(wheel)
    info = "passwordless_tenant-0.1.0.dist-info/"
    entry_points = configparser.ConfigParser()
    entry_points.read_string(archive.read(info + "entry_points.txt").decode())
    assert entry_points["console_scripts"]["passwordless-tenant"] == "mock_tenant.__main__:main"
    assert entry_points["pytest11"]["passwordless_tenant"] == "mock_tenant.testing.pytest_plugin"
    metadata = archive.read(info + "METADATA").decode()
    requires = {
        re.match(r"[A-Za-z0-9._-]+", line.removeprefix("Requires-Dist:").strip())[0].lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert "flask" in requires
    assert not requires & DEMO_ONLY


def test_a_tenant_starts_from_the_unpacked_wheel_outside_the_repository(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # The wheel's copy comes first on the path; the suite's editable install comes after.
    env = {**os.environ, "PYTHONPATH": str(site)}
    env = {key: value for key, value in env.items() if not key.startswith("MOCK_TENANT_")}
    where = subprocess.run(  # noqa: S603 (this interpreter)
        [sys.executable, "-c", "import mock_tenant; print(mock_tenant.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(site)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "mock_tenant", "--port", str(port), "--data-dir", "data"]
    with ServerProcess(command, base + "/.well-known/jwks.json", env=env, cwd=tmp_path):
        http = requests.Session()
        # The bundled tenant.toml, a login page (templates, locales), its stylesheet, the
        # dev outbox page and the OpenAPI document (openapi.yaml): all from the wheel.
        login = http.get(
            base + "/authorize",
            params={
                "client_id": WEB_CLIENT,
                "response_type": "code",
                "redirect_uri": WEB_CALLBACK,
                "scope": "openid",
                "state": "s",
                "ui_locales": "fr",
            },
            timeout=10,
        )
        assert login.status_code == 200
        assert 'id="username"' in login.text
        assert 'lang="fr"' in login.text
        assert http.get(base + "/static/tenant.css", timeout=10).status_code == 200
        assert http.get(base + "/_dev/outbox", timeout=10).status_code == 200
        assert http.get(base + "/openapi.json", timeout=10).json()["openapi"].startswith("3.1")
    assert (tmp_path / "data" / "tenant.sqlite3").exists()
