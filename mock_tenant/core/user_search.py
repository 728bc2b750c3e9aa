"""User search (Auth0's search engine v3): the subset of Lucene query syntax `q` accepts.

https://auth0.com/docs/manage-users/user-search/user-search-query-syntax

Supported, for the fields a passwordless user has (`FIELDS`):
- `field:value` and `field:"a phrase"`: the whole value, case-insensitive for the normalized
  fields (email, name, given_name, family_name, nickname), case-sensitive otherwise;
- `*` in a value: zero or more characters (`email:ada*`, `email:*@example.com`);
- `field:[a TO b]` and `field:{a TO b}`: ranges, inclusive or exclusive, `*` for open;
- `_exists_:field`; `AND`, `OR`, `NOT` (capitalized), parentheses; terms side by side are
  joined with OR, Lucene's default operator;
- a bare term (no field): matched against the normalized fields.

Not supported (a 400 says so): fuzzy and proximity (`~`), boosting (`^`), regular
expressions (`/.../`). Values are compared whole, not word by word as Auth0's analyzer
does: `name:ada` does not match "Ada Lovelace", `name:ada*` does.

A small parser rather than a library: the Lucene parsers on PyPI (luqum, lucene-query
parsers) build an Elasticsearch query or a syntax tree for another engine; evaluating a
handful of fields over the tenant's own users needs less code than adapting one, and each
rule stays readable here next to the Auth0 page it follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Fields compared without regard to case ("normalized user fields" in Auth0's page).
CASE_INSENSITIVE = frozenset({"email", "name", "given_name", "family_name", "nickname"})
# Everything `q` can name, besides `user_metadata.*` and `app_metadata.*`.
FIELDS = CASE_INSENSITIVE | {
    "user_id",
    "email_verified",
    "email.domain",
    "phone_number",
    "phone_verified",
    "picture",
    "created_at",
    "updated_at",
    "identities.connection",
    "identities.provider",
    "identities.user_id",
}
# A bare term (no field name) is looked for in these.
BARE_TERM_FIELDS = ("email", "name", "given_name", "family_name", "nickname", "phone_number")

Predicate = Callable[[dict], bool]


class QueryError(ValueError):
    """A `q` this tenant cannot parse, with the reason."""


@dataclass(frozen=True)
class Token:
    """One piece of a query: an operator, a parenthesis or a term."""

    kind: str  # "AND", "OR", "NOT", "(", ")" or "TERM"
    field: str | None = None
    value: str | None = None
    quoted: bool = False


TERM = re.compile(
    r"""
    (?:(?P<field>[A-Za-z_][A-Za-z0-9_.]*):)?         # field name, optional
    (?:
        "(?P<phrase>(?:[^"\\]|\\.)*)"                # "a phrase", \" escapes
      | (?P<range>[\[{][^\]}]*[\]}])                 # [a TO b] or {a TO b}
      | (?P<word>(?:[^\s()"\\]|\\.)+)                # a word, \ escapes
    )
    """,
    re.VERBOSE,
)


def parse(query: str) -> Predicate:
    """Parse a `q` into a test on a user's searchable values (see `searchable`).

    Raises:
        QueryError: the query is empty of terms, unbalanced or uses unsupported syntax.
    """
    tokens = _tokenize(query)
    if not tokens:
        raise QueryError("the query has no terms")
    parser = _Parser(tokens)
    predicate = parser.expression()
    if parser.position != len(tokens):
        raise QueryError("unbalanced parentheses")
    return predicate


def _tokenize(query: str) -> list[Token]:
    """Split a query into operators, parentheses and terms."""
    tokens: list[Token] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(Token(char))
            i += 1
            continue
        match = TERM.match(query, i)
        if not match:
            raise QueryError(f"cannot read the query from {query[i : i + 20]!r}")
        i = match.end()
        field, word = match["field"], match["word"]
        if field is None and word in ("AND", "OR", "NOT"):
            tokens.append(Token(word))
            continue
        if word is not None and re.search(r"(?<!\\)[~^]", word) or (word or "").startswith("/"):
            raise QueryError("fuzzy, proximity, boost and regular-expression queries")
        if match["range"] is not None:
            value, quoted = match["range"], False
        elif match["phrase"] is not None:
            value, quoted = _unescape(match["phrase"]), True
        else:
            value, quoted = word, False
        tokens.append(Token("TERM", field, value, quoted))
    return tokens


def _unescape(text: str) -> str:
    """Drop Lucene's backslash escapes."""
    return re.sub(r"\\(.)", r"\1", text)


class _Parser:
    """Recursive descent: expression = and-group { [OR] and-group }; OR binds loosest."""

    def __init__(self, tokens: list[Token]):
        self.tokens, self.position = tokens, 0

    def peek(self) -> Token | None:
        """Return the next token without taking it."""
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        """Take the next token."""
        token = self.peek()
        if token is None:
            raise QueryError("the query ends too early")
        self.position += 1
        return token

    def expression(self) -> Predicate:
        """Parse terms joined by OR, or side by side (Lucene's default operator is OR)."""
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and token.kind != ")":
            if token.kind == "OR":
                self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else lambda user: any(p(user) for p in parts)

    def conjunction(self) -> Predicate:
        """Parse terms joined by AND."""
        parts = [self.negation()]
        while (token := self.peek()) is not None and token.kind == "AND":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else lambda user: all(p(user) for p in parts)

    def negation(self) -> Predicate:
        """Parse NOT before a term or a group."""
        if (token := self.peek()) is not None and token.kind == "NOT":
            self.take()
            inner = self.negation()
            return lambda user: not inner(user)
        return self.primary()

    def primary(self) -> Predicate:
        """Parse a parenthesized group or one term."""
        token = self.take()
        if token.kind == "(":
            inner = self.expression()
            if self.take().kind != ")":
                raise QueryError("unbalanced parentheses")
            return inner
        if token.kind != "TERM":
            raise QueryError(f"{token.kind} needs a term on each side")
        return _term(token)


def _term(token: Token) -> Predicate:
    """Build the test for one term."""
    field, value = token.field, token.value or ""
    if field == "_exists_":
        _check_field(value)
        return lambda user: user.get(value) is not None
    if field is None:
        tests = [_compare(name, value, token.quoted) for name in BARE_TERM_FIELDS]
        return lambda user: any(test(user) for test in tests)
    _check_field(field)
    if value[:1] in "[{" and not token.quoted:
        return _range(field, value)
    return _compare(field, value, token.quoted)


def _check_field(field: str) -> None:
    """Refuse a field that passwordless users do not have."""
    if field in FIELDS or field.startswith(("user_metadata.", "app_metadata.")):
        return
    raise QueryError(f"unknown field {field!r}")


def _compare(field: str, pattern: str, quoted: bool) -> Predicate:
    """Test a field's whole value against a value with `*` wildcards (none when quoted)."""
    fold = field in CASE_INSENSITIVE
    wanted = pattern.lower() if fold else pattern
    if not quoted and "*" in pattern:
        # Auth0: a wildcard before the text needs at least 3 characters after it.
        if pattern.startswith("*") and len(pattern.strip("*")) < 3:
            raise QueryError("a leading wildcard needs at least 3 characters")
        regex = re.compile(".*".join(re.escape(_unescape(part)) for part in wanted.split("*")))
        return lambda user: _matches(user.get(field), fold, regex.fullmatch)
    if not quoted:
        wanted = _unescape(wanted)
    return lambda user: _matches(user.get(field), fold, lambda text: text == wanted)


def _matches(value, fold: bool, test) -> bool:
    """Apply a string test to a value, or to each item of a list of values."""
    values = value if isinstance(value, list) else [value]
    for item in values:
        if item is None:
            continue
        text = _text(item)
        if test(text.lower() if fold else text):
            return True
    return False


def _text(value) -> str:
    """Write a value as the query would: booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])")


def _range(field: str, text: str) -> Predicate:
    """Build a range test; ISO dates compare as text, as they sort."""
    match = RANGE.fullmatch(text)
    if not match:
        raise QueryError(f"a range is [low TO high]: {text!r}")
    opening, low, high, closing = match.groups()

    def inside(user: dict) -> bool:
        """Tell whether the field's value lies in the range."""
        value = user.get(field)
        if value is None:
            return False
        value = _text(value)
        above = low == "*" or (value >= low if opening == "[" else value > low)
        below = high == "*" or (value <= high if closing == "]" else value < high)
        return above and below

    return inside
