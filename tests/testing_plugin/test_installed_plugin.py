"""Installing the package is all it takes: pytest finds the plugin through its entry point."""

import subprocess
import sys
import textwrap

import pytest
import requests

# Seconds a test: left out of `make test-fast`, started first by `make test`.
pytestmark = pytest.mark.slow(seconds=2)

# A test file of another project: no conftest, no import of the plugin, only its fixtures.
OUTSIDE_TESTS = textwrap.dedent(
    """
    import pathlib

    import pytest
    import requests

    SEEN = pathlib.Path("seen.txt")


    def test_one_uses_the_session_tenant(passwordless_tenant):
        passwordless_tenant.create_user(email="first@example.com")
        SEEN.write_text(passwordless_tenant.base_url + "\\n")


    def test_two_finds_it_reset(passwordless_tenant):
        assert SEEN.read_text().split() == [passwordless_tenant.base_url]
        assert passwordless_tenant.users() == []


    @pytest.mark.passwordless_tenant(users=[{"email": "own@example.com"}])
    def test_three_has_a_tenant_of_its_own(passwordless_tenant):
        assert [u["identifier"] for u in passwordless_tenant.users()] == ["own@example.com"]
        with SEEN.open("a") as seen:
            seen.write(passwordless_tenant.base_url + "\\n")


    def test_four_finds_the_own_tenant_stopped():
        own = SEEN.read_text().split()[1]
        with pytest.raises(requests.ConnectionError):
            requests.get(own + "/.well-known/jwks.json", timeout=5)
    """
)


def test_another_projects_tests_get_the_fixtures_and_every_tenant_stops(tmp_path):
    (tmp_path / "test_outside.py").write_text(OUTSIDE_TESTS)
    # -p no:cacheprovider keeps the folder clean; nothing names the plugin.
    result = subprocess.run(  # noqa: S603 (this interpreter, a file written above)
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_outside.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    # After the session nothing answers on the session tenant's port any more.
    session_url = (tmp_path / "seen.txt").read_text().split()[0]
    try:
        requests.get(session_url + "/.well-known/jwks.json", timeout=5)
    except requests.ConnectionError:
        return
    raise AssertionError(f"the session's tenant still answers at {session_url}")
