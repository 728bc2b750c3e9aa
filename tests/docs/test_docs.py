"""The docs are tested: command blocks run, code pointers resolve, relative links lead somewhere.

Three checks over `README.md`, every page under `docs/` and the README of any folder under
`tests/`, `bench/` or `tools/` (the attack suite's map, the benchmark's results), and one over
the chapters:

- Every ```` ```sh runnable ```` block runs with bash (`set -euo pipefail`) against a fresh
  live tenant, and a sample API that trusts it, on free ports. The block's
  `http://127.0.0.1:4000` and `http://localhost:3010` are rewritten to those servers first,
  and `.venv/bin/python` to the interpreter running the tests. A ```` ```text output ````
  block right after a runnable block is its expected output: each of its lines must appear
  in what the block printed, in order (`...` matches anything within a line). The chapters'
  blocks also run in order, each chapter's twice in a row, on one tenant, in
  tests/e2e/test_workshop_walk.py (`run_block` is shared).
- Every `path/to/file.py: name` pointer names a file that exists and a definition in it
  (`function`, `Class`, `Class.method`, or a module-level name); for `.js`, a function.
- Every relative link (and `#anchor`) leads to a file (and a heading) that exists.
- Every chapter (`docs/NN-*.md`) has the workshop's parts: goal, a Mermaid sequence diagram
  (made of statements Mermaid knows), inspector notes, exercises with answers, pointers to
  the code.

And the README is the front door: every page above is reachable from it by links, and its
layout names every top-level folder.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import sample_api
from tests.servers import serve, serve_tenant, without_tenant_settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# The folders whose README files are docs too (tests/attacks/README.md, bench/README.md, ...).
DOC_FOLDERS = ("tests", "bench", "tools")


def _vendored(path: Path) -> bool:
    """Tell whether a file is third-party code kept as published (vendor/<project>/...)."""
    parts = path.relative_to(ROOT).parts
    return "vendor" in parts and parts.index("vendor") < len(parts) - 3


DOCS = (
    [README]
    + sorted((ROOT / "docs").rglob("*.md"))
    + sorted(
        path
        for folder in DOC_FOLDERS
        for path in (ROOT / folder).rglob("README.md")
        if not _vendored(path)
        # npm packages installed for a test (tests/e2e/express_app) bring their own READMEs.
        and "node_modules" not in path.parts
    )
)
CHAPTERS = sorted((ROOT / "docs").glob("[0-9][0-9]-*.md"))

# What the docs call the tenant and the sample API (the `make run-*` defaults).
DOC_TENANT = "http://127.0.0.1:4000"
DOC_API = "http://localhost:3010"
# Seconds a block may run before it counts as hung.
BLOCK_TIMEOUT = 90

FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
POINTER = re.compile(r"`(?P<path>[\w./-]+\.(?:py|js)): (?P<name>[A-Za-z_$][\w$]*(?:\.[\w$]+)*)`")
# A pointer's opening backtick and path at the end of a line: the pointer was wrapped.
BROKEN_POINTER = re.compile(r"`[\w./-]+\.(?:py|js):?\s*$")
INLINE_CODE = re.compile(r"(`+).+?\1")
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(?P<target>\S+)")
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)=["'](?P<target>[^"']+)["']""")
HTML_ANCHOR = re.compile(r"""<a\b[^>]*?\b(?:id|name)=["'](?P<anchor>[^"']+)["']""")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# The sections every chapter has (issue 6: goal, diagram, steps, inspector, exercises, code).
CHAPTER_SECTIONS = (
    "## Goal",
    "## What to look at in the inspector",
    "## Exercises",
    "## In the code",
)


@dataclass(frozen=True)
class Block:
    """A fenced code block in a Markdown file."""

    path: Path
    line: int  # the opening fence's line, counted from 1
    end: int  # the closing fence's line
    info: str
    text: str

    @property
    def where(self) -> str:
        """Name the block as `file:line` (the line of its opening fence)."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def runnable(self) -> bool:
        """Tell whether the block is marked for the tests to run (```sh runnable)."""
        words = self.info.split()
        return words[:1] == ["sh"] and "runnable" in words[1:]


@dataclass(frozen=True)
class Found:
    """Something found in a Markdown file's prose: a pointer or a link, and where."""

    path: Path
    line: int
    value: str

    @property
    def where(self) -> str:
        """Name the place as `file:line`."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"


@cache
def parse(path: Path) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Return a Markdown file's fenced blocks, and its lines with those blocks blanked out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    prose = list(lines)
    blocks = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        start, body = i, []
        i += 1
        # https://spec.commonmark.org/0.31.2/#fenced-code-blocks: the block ends at a fence
        # of the same character, at least as long, with nothing after it (or at the end).
        while i < len(lines):
            closing = lines[i].strip()
            if closing.startswith(fence) and not closing.strip(fence[0]):
                break
            body.append(lines[i])
            i += 1
        for blank in range(start, min(i + 1, len(lines))):
            prose[blank] = ""
        blocks.append(Block(path, start + 1, i + 1, opening["info"].strip(), "\n".join(body)))
        i += 1
    return tuple(blocks), tuple(prose)


def expected_output(block: Block) -> str | None:
    """Return the text of the ```text output block that follows a block, if one does."""
    blocks, _ = parse(block.path)
    later = [b for b in blocks if b.line > block.line]
    if not later or later[0].info.split()[:2] != ["text", "output"]:
        return None
    between = parse(block.path)[1][block.end : later[0].line - 1]
    # Only blank lines may separate a block from its output.
    return later[0].text if not any(line.strip() for line in between) else None


def pointers(path: Path) -> list[Found]:
    """Return the `file.py: name` pointers in a Markdown file's prose."""
    _, prose = parse(path)
    return [
        Found(path, number, f"{match['path']}: {match['name']}")
        for number, line in enumerate(prose, start=1)
        for match in POINTER.finditer(line)
    ]


def links(path: Path) -> list[Found]:
    """Return the relative link targets in a Markdown file's prose (not in code)."""
    _, prose = parse(path)
    found = []
    for number, line in enumerate(prose, start=1):
        line = INLINE_CODE.sub("", line)
        for pattern in (LINK, REFERENCE, HTML_LINK):
            for match in pattern.finditer(line):
                target = match["target"].strip("<>")
                if not SCHEME.match(target) and not target.startswith("//"):
                    found.append(Found(path, number, target))
    return found


def slug(heading: str) -> str:
    """Return the anchor GitHub gives a heading: lower case, punctuation out, dashes."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[`*]", "", text).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Return the anchors a Markdown file offers: its headings' slugs and explicit ids."""
    _, prose = parse(path)
    seen: dict[str, int] = {}
    found = set()
    for line in prose:
        found |= {m["anchor"] for m in HTML_ANCHOR.finditer(line)}
        heading = HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading["text"])
        # GitHub numbers repeated headings: install, install-1, install-2, ...
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def link_problem(found: Found) -> str | None:
    """Say what is wrong with a relative link, or return None if it leads somewhere."""
    target, _, anchor = found.value.partition("#")
    path = found.path if not target else found.path.parent / urllib.parse.unquote(target)
    if not path.exists():
        return f"{found.where}: {found.value} leads to no file ({path.relative_to(ROOT)})"
    if anchor and path.suffix == ".md" and urllib.parse.unquote(anchor) not in anchors(path):
        return f"{found.where}: {found.value} names no heading of {path.relative_to(ROOT)}"
    return None


@cache
def python_names(path: Path) -> frozenset[str]:
    """Return the dotted names a Python file defines: functions, classes, methods, constants."""
    names = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(prefix + node.name)
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.Assign):
                names.update(prefix + t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(prefix + node.target.id)

    visit(ast.parse(path.read_text(encoding="utf-8")).body, "")
    return frozenset(names)


def js_defines(source: str, name: str) -> bool:
    """Tell whether JavaScript source defines a function, class or method of this name."""
    word = re.escape(name)
    patterns = (
        rf"\bfunction\s*\*?\s*{word}\s*\(",  # function name( / export async function name(
        rf"\b(?:const|let|var|class)\s+{word}\b",  # const name = ... / class Name
        rf"^\s*(?:static\s+)?(?:async\s+)?{word}\s*\([^)]*\)\s*\{{",  # a method: name(a) {
        rf"\bexport\s*\{{[^}}]*\b{word}\b",  # export { name }
    )
    return any(re.search(pattern, source, re.MULTILINE) for pattern in patterns)


def pointer_problem(found: Found) -> str | None:
    """Say what is wrong with a `file: name` pointer, or return None if it resolves."""
    file, _, name = found.value.partition(": ")
    path = ROOT / file
    if not path.is_file():
        return f"{found.where}: {file} does not exist"
    if path.suffix == ".py" and name not in python_names(path):
        return f"{found.where}: {file} defines no {name}"
    if path.suffix == ".js":
        source = path.read_text(encoding="utf-8")
        if not all(js_defines(source, part) for part in name.split(".")):
            return f"{found.where}: {file} defines no {name}"
    return None


def localize(text: str, tenant_url: str, api_url: str) -> str:
    """Point a block at the test's servers and the test's Python instead of the defaults."""
    live = {DOC_TENANT: tenant_url, DOC_API: api_url}
    # A block may name a server with or without its scheme (`curl 127.0.0.1:4000/...`).
    live |= {doc.removeprefix("http://"): url.removeprefix("http://") for doc, url in live.items()}
    # One pass over the text, so nothing a replacement wrote is replaced again (a live port
    # 40003 starts with 4000), and whole ports only (`(?!\d)`: 4000 is not the start of 40003).
    urls = "|".join(re.escape(doc) for doc in sorted(live, key=len, reverse=True))
    pattern = re.compile(rf"(?P<url>{urls})(?!\d)|(?<![\w/.])\.venv/bin/python3?\b")
    return pattern.sub(lambda m: live[m["url"]] if m["url"] else sys.executable, text)


def output_problem(expected: str, printed: str) -> str | None:
    """Check that each expected line appears in the printed lines, in order; say which not."""
    lines = [line.rstrip() for line in printed.splitlines()]
    position = 0
    for wanted in (w.strip() for w in expected.splitlines()):
        if not wanted:
            continue
        pattern = re.compile(".*?".join(re.escape(part) for part in wanted.split("...")))
        while position < len(lines) and not pattern.fullmatch(lines[position].strip()):
            position += 1
        if position == len(lines):
            return f"expected this line (in this order) and did not see it: {wanted}"
        position += 1
    return None


ALL_BLOCKS = [block for path in DOCS for block in parse(path)[0]]
RUNNABLE = [block for block in ALL_BLOCKS if block.runnable]
POINTERS = [found for path in DOCS for found in pointers(path)]
LINKS = [found for path in DOCS for found in links(path)]


@pytest.fixture
def live_servers(tmp_path):
    """Run a fresh tenant and a sample API that trusts it; yield their base URLs."""
    with serve_tenant(tmp_path / "tenant") as tenant:
        settings = {"AUTH0_DOMAIN": tenant.base_url, "AUTH0_AUDIENCE": "urn:passwordless-demo:api"}
        with serve(lambda _: sample_api.create_app(settings)) as api:
            yield tenant.base_url, api.base_url


def run_block(block: Block, tenant_url: str, api_url: str, tmp_path: Path) -> str | None:
    """Run a runnable block against live servers; say what went wrong, or return None."""
    script = localize(block.text, tenant_url, api_url)
    # The learner's shell settings (AUTH0_DOMAIN=...) must not reach the block.
    env = {
        k: v for k, v in without_tenant_settings(os.environ).items() if not k.startswith("AUTH0_")
    }
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["TMPDIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603 (our own docs, run on purpose)
        ["bash", "-c", "set -euo pipefail\n" + script],  # noqa: S607 (bash from PATH)
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    report = f"\n--- script\n{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    if result.returncode != 0:
        return f"{block.where} exited with {result.returncode}{report}"
    expected = expected_output(block)
    if expected is not None:
        problem = output_problem(localize(expected, tenant_url, api_url), result.stdout)
        if problem is not None:
            return f"{block.where}: {problem}{report}"
    return None


# Seconds a block (a fresh tenant each): left out of `make test-fast`, started first by `make test`.
@pytest.mark.slow(seconds=14)
@pytest.mark.parametrize("block", RUNNABLE, ids=[b.where for b in RUNNABLE])
def test_every_runnable_block_runs_against_a_fresh_tenant(block, live_servers, tmp_path):
    tenant_url, api_url = live_servers
    problem = run_block(block, tenant_url, api_url, tmp_path)
    assert problem is None, problem


@pytest.mark.parametrize("found", POINTERS, ids=[f"{p.where} {p.value}" for p in POINTERS])
def test_every_code_pointer_names_a_definition_that_exists(found):
    assert pointer_problem(found) is None, pointer_problem(found)


def test_no_code_pointer_is_wrapped_across_two_lines():
    # A wrapped pointer is no pointer at all: the check above would never see it.
    wrapped = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in DOCS
        for number, line in enumerate(parse(path)[1], start=1)
        if BROKEN_POINTER.search(line)
    ]
    assert not wrapped, f"pointers wrapped across lines at {wrapped}"


@pytest.mark.parametrize("found", LINKS, ids=[f"{link.where} {link.value}" for link in LINKS])
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(found):
    assert link_problem(found) is None, link_problem(found)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.name for c in CHAPTERS])
def test_each_chapter_has_the_workshop_sections(chapter):
    text = chapter.read_text(encoding="utf-8")
    blocks, prose = parse(chapter)
    headings = {line.strip() for line in prose if line.startswith("## ")}
    missing = [section for section in CHAPTER_SECTIONS if section not in headings]
    assert not missing, f"{chapter.name} lacks the sections {missing}"
    assert any(b.info == "mermaid" for b in blocks), f"{chapter.name} has no Mermaid diagram"
    assert "<details>" in text, f"{chapter.name} has no exercise answer in a <details> block"
    assert pointers(chapter), f"{chapter.name} points to no code"


DIAGRAMS = [b for path in CHAPTERS for b in parse(path)[0] if b.info == "mermaid"]


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[b.where for b in DIAGRAMS])
def test_every_chapter_diagram_is_a_sequence_diagram_of_known_statements(diagram):
    lines = [line.strip() for line in diagram.text.splitlines() if line.strip()]
    assert lines[0] == "sequenceDiagram", f"{diagram.where} is not a sequenceDiagram"
    statement = re.compile(
        r"(autonumber|participant \S.*|actor \S.*|Note (over|left of|right of) [^:]+: .+"
        r"|(loop|alt|opt|rect|critical|break) .+|else.*|end"
        r"|[\w ]+?\s*(->>|-->>|->|-->|-x|--x|-\)|--\))[+-]?\s*[\w ]+?: .+)"
    )
    for line in lines[1:]:
        assert statement.fullmatch(line), f"{diagram.where}: not a statement Mermaid knows: {line}"
        # In a message, ";" ends the statement and "#" starts an entity: both break diagrams.
        assert ";" not in line and "#" not in line, f"{diagram.where}: ';' or '#' in: {line}"


def test_only_shell_blocks_are_marked_runnable():
    marked = [b.where for b in ALL_BLOCKS if "runnable" in b.info.split() and not b.runnable]
    assert not marked, f"only ```sh blocks run; these are marked runnable too: {marked}"


def test_every_doc_is_reachable_from_the_readme():
    # A page nobody links to is a page nobody reads: follow the links from the README.
    seen, todo = set(), [README]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for found in links(path):
            target = urllib.parse.unquote(found.value.partition("#")[0])
            linked = (path.parent / target).resolve()
            if target and linked.suffix == ".md" and linked.is_file():
                todo.append(linked)
    unreachable = [str(path.relative_to(ROOT)) for path in DOCS if path not in seen]
    assert not unreachable, f"no chain of links from README.md leads to {unreachable}"


# Top-level folders that are made, not written (see .gitignore): no part of the layout.
GENERATED = {"var", "test-results", "build", "node_modules", "__pycache__"}


def readme_layout() -> str:
    """Return the text of the README's layout tree (the first block under "## Layout")."""
    blocks, prose = parse(README)
    heading = prose.index("## Layout") + 1
    return next(block.text for block in blocks if block.line > heading)


def test_the_readme_layout_names_every_top_level_folder_and_no_other():
    folders = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir()
        and not path.name.startswith(".")
        and not path.name.endswith(".egg-info")
        and path.name not in GENERATED
    }
    # A top-level line of the tree starts with its folder: `tests/   pytest, ...`.
    tops = (line.split()[0] for line in readme_layout().splitlines() if line[:1].strip())
    named = {top.removesuffix("/") for top in tops if top.endswith("/")}
    assert folders - named == set(), f"the README's layout leaves out {folders - named}"
    assert named - folders == set(), f"the README's layout names missing {named - folders}"


def test_the_docs_have_runnable_blocks_pointers_and_links_to_check():
    # A parser that silently found nothing would make every check above pass.
    assert len(CHAPTERS) == 11
    assert len(RUNNABLE) >= 20 and len(POINTERS) >= 50 and len(LINKS) >= 10


# The checkers themselves must be able to fail: each is shown one bad case.


def test_a_pointer_to_a_missing_method_is_reported():
    index = ROOT / "docs" / "README.md"
    bad = Found(index, 1, "mock_tenant/api/token_endpoint.py: OneTimeCodeGrant.nope")
    good = Found(
        index, 1, "mock_tenant/api/token_endpoint.py: OneTimeCodeGrant.create_token_response"
    )
    assert "defines no OneTimeCodeGrant.nope" in pointer_problem(bad)
    assert pointer_problem(good) is None
    missing_js = Found(ROOT / "README.md", 1, "single_page_app/js/auth.js: loginWithPopup")
    assert "defines no" in pointer_problem(missing_js)


def test_a_link_to_a_missing_file_or_heading_is_reported():
    index = ROOT / "docs" / "README.md"
    assert "leads to no file" in link_problem(Found(index, 1, "99-nothing.md"))
    assert "names no heading" in link_problem(Found(index, 1, "01-setup.md#no-such-heading"))


def test_localize_rewrites_each_url_once_even_when_the_live_port_starts_with_4000():
    block = (
        "curl http://127.0.0.1:4000/x\n"
        "curl 127.0.0.1:4000/y http://localhost:3010/api\n"
        "echo 127.0.0.1:40001\n"
        ".venv/bin/python -V\n"
    )
    assert localize(block, "http://127.0.0.1:40003", "http://127.0.0.1:4000") == (
        "curl http://127.0.0.1:40003/x\n"
        "curl 127.0.0.1:40003/y http://127.0.0.1:4000/api\n"
        "echo 127.0.0.1:40001\n"
        f"{sys.executable} -V\n"
    )


def test_expected_output_must_appear_in_order():
    printed = '403 {"error": "invalid_grant"}\nsecond line\n'
    assert output_problem("403 ...invalid_grant...\nsecond line", printed) is None
    assert output_problem("second line\n403 ...", printed) is not None
