"""The client apps: each is copyable on its own, and all check tokens by one rule set."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import native_tui_app.client
import regular_web_app.id_token
import sample_api.validator

ROOT = Path(__file__).resolve().parents[2]
APPS = ["regular_web_app", "native_tui_app", "single_page_app", "sample_api"]
PARTS = {*APPS, "mock_tenant", "tests", "tools", "bench"}


def imported_parts(path: Path) -> set[str]:
    """Return the suite's top-level packages a Python file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & PARTS


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_itself(app):
    outside = {
        str(path.relative_to(ROOT)): sorted(imported_parts(path) - {app})
        for path in sorted((ROOT / app).rglob("*.py"))
        if "node_modules" not in path.parts
    }
    assert {file: parts for file, parts in outside.items() if parts} == {}


def test_the_check_sees_an_import_of_another_part(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("import os\nfrom tools.launcher import ServerProcess\nfrom . import views\n")
    assert imported_parts(source) == {"tools"}


# The constants that make up the rule set, named alike in each app.
RULES = [
    "ALGORITHMS",
    "REQUIRED_CLAIMS",
    "LEEWAY_SECONDS",
    "JWKS_LIFESPAN_SECONDS",
    "JWKS_COOLDOWN_SECONDS",
]


def test_the_web_app_the_terminal_app_and_the_api_check_tokens_by_the_same_rules():
    # Each app keeps its own copy (no shared import), so this is what keeps them equal.
    modules = [regular_web_app.id_token, native_tui_app.client, sample_api.validator]
    rules = [{name: getattr(module, name) for name in RULES} for module in modules]
    assert rules[0] == rules[1] == rules[2]
    assert rules[0]["ALGORITHMS"] == ["RS256"] and rules[0]["LEEWAY_SECONDS"] == 60
