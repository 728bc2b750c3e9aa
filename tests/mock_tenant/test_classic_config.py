"""The Classic experience's settings: a bad login page template is refused at start, by name."""

from __future__ import annotations

import os

import pytest

from mock_tenant.__main__ import main
from mock_tenant.config import DEFAULT_CONFIG_FILE, ConfigError, load_config
from tests.e2e.classic_stack import classic

HTTPS = "https://127.0.0.1:4000/"


def write_tenant(folder, page: str):
    """Write the bundled tenant file with the Classic experience and `page` as its template."""
    path = folder / "tenant.toml"
    path.write_text(
        classic(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"), page), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the login page template"),
        ("just text @@config@@", "not an HTML page"),
        ("<html><body>no placeholder</body></html>", "no @@config@@ placeholder"),
    ],
)
def test_a_bad_login_page_template_is_refused_naming_the_file(tmp_path, content, problem):
    if content is not None:
        (tmp_path / "login.html").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(write_tenant(tmp_path, "login.html"), issuer=HTTPS)
    assert str(tmp_path / "login.html") in str(refused.value)
    assert problem in str(refused.value)


def test_the_classic_experience_needs_https(tmp_path):
    with pytest.raises(ConfigError, match="needs HTTPS"):
        load_config(write_tenant(tmp_path, "lock-passwordless"), issuer="http://127.0.0.1:4000/")


def test_a_dashboard_style_template_file_is_accepted(tmp_path):
    (tmp_path / "login.html").write_text(
        "<!DOCTYPE html><html><script>var c='@@config@@';</script></html>", encoding="utf-8"
    )
    config = load_config(write_tenant(tmp_path, "login.html"), issuer=HTTPS)
    assert config.prompts.login_page_path == tmp_path / "login.html"


def test_a_missing_vendor_build_says_to_run_make_setup(tmp_path, monkeypatch):
    monkeypatch.setattr("mock_tenant.config.VENDOR", tmp_path / "vendor")
    with pytest.raises(ConfigError, match="run `make setup`"):
        load_config(write_tenant(tmp_path, "lock-passwordless"), issuer=HTTPS)


def test_the_command_line_refuses_a_bad_template_with_exit_2(tmp_path, capsys):
    # main() sets the process umask for the files it writes: put it back afterwards.
    umask = os.umask(0o022)
    os.umask(umask)
    (tmp_path / "page.html").write_text("<p>no page</p>", encoding="utf-8")
    status = main(
        [
            "--experience",
            "classic",
            "--tls",
            "--login-page",
            str(tmp_path / "page.html"),
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            "0",
        ]
    )
    os.umask(umask)
    assert status == 2
    assert f"{tmp_path / 'page.html'}: the login page template is not an HTML page" in (
        capsys.readouterr().err
    )
