"""The list's filter grammar, one for the search box and `list --filter` (DESIGN.md,
"Filters, views, history").

Free words match the name, the domain, the mail and the DMARC cells, as the plain search
does; `field:value` holds a column's folded text (`sector:fin`, `product:"mimecast for
mac"`); `-` before either excludes; `<`, `<=`, `>`, `>=` compare numbers and dates
(`users:>=500`, `provision:<2027-06-01`); `verified:never` and `verified:>30d` (checked
more than 30 days ago; `<30d` within them). Every term must hold.

A text with no ':' that does not start with '-' is the plain search, unchanged: one
substring, searched the fast way (ProspectList.matching with a string).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from store.errors import FilterError
from store.listing.keys import NO_NUMBER
from store.models import stored_time
from store.text import fold, quoted, unsafe_character

# A field as typed, and the list's key for its column (store.listing.keys.column_keys).
FIELDS: dict[str, str] = {
    "name": "company_name",
    "domain": "domain",
    "type": "company_type",
    "sector": "sector",
    "lead": "implementation_lead",
    "secondary": "secondary_contact",
    "status": "status",
    "product": "products",
    "users": "permitted_users",
    "provision": "expected_provision_date",
    "mail": "mail",
    "gateway": "gateway",
    "dmarc": "dmarc",
    "created": "created_at",
    "updated": "updated_at",
    "verified": "checked_at",
}
NUMBER_FIELDS = frozenset({"users"})
DATE_FIELDS = frozenset({"provision", "created", "updated", "verified"})
MAX_LENGTH = 1000
"""Longer filters are refused: each term is a pass over every row."""

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_OPERATOR = re.compile("<=|>=|<|>")
_WORD = re.compile(r'[^\s:"]*')
_VALUE = re.compile(r'[^\s"]*')
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DAYS = re.compile(r"([0-9]{1,5})d\Z")

Test = Callable[[Any], bool]


@dataclass(frozen=True)
class Term:
    """One `field:value`: the list's key for the column, and what a row's key must pass.

    `source` names the test (two terms with one source pass the same rows), so the list
    can keep a term's hits from one keystroke to the next."""

    key: str
    test: Test
    source: str
    negated: bool = False

    def hits(self, column: Sequence[Any]) -> list[bool]:
        """Whether each row's key passes the test (the negation left aside)."""
        test = self.test
        distinct = set(column)
        if len(distinct) * 4 < len(column):  # sectors, types, leads: test each value once
            verdicts = {value: test(value) for value in distinct}
            return list(map(verdicts.__getitem__, column))
        return list(map(test, column))


@dataclass(frozen=True)
class Filter:
    """A parsed filter. `plain` is the plain search: `text` is searched as it is."""

    text: str
    plain: bool = False
    words: tuple[str, ...] = ()  # folded; each in a row's search string
    not_words: tuple[str, ...] = ()  # folded; none in it
    terms: tuple[Term, ...] = ()

    def with_search(self, search: str) -> Filter:
        """This filter, and also the plain search `search` (the CLI's --search)."""
        query = fold(search.strip())
        return replace(self, plain=False, words=(*self.words, query)) if query else self



def parse_filter(text: str, now: datetime | None = None) -> Filter:
    """Read a filter; FilterError says what is wrong with it. `now` is for verified:>30d."""
    if ":" not in text and '"' not in text and not text.lstrip().startswith("-"):
        query = fold(text.strip())
        return Filter(text, plain=True, words=(query,) if query else ())
    if len(text) > MAX_LENGTH:
        raise FilterError(f"the filter is {len(text):,} characters long; "
                          f"a filter may have at most {MAX_LENGTH:,}")
    problem = unsafe_character(text)
    if problem is not None:  # no stored value holds one: say so rather than match nothing
        raise FilterError(f"the filter {problem.replace('retype the value', 'retype it')}")
    # To the minute: verified:>30d then passes the same rows on each keystroke of a minute.
    return _Parser(text, (now or datetime.now(UTC)).replace(second=0, microsecond=0)).parse()


class _Parser:
    def __init__(self, text: str, now: datetime) -> None:
        self.text, self.now, self.pos = text, now, 0
        self.words: list[str] = []
        self.not_words: list[str] = []
        self.terms: list[Term] = []

    def parse(self) -> Filter:
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                break
            self._term()
        return Filter(text, words=tuple(self.words), not_words=tuple(self.not_words),
                      terms=tuple(self.terms))

    def _term(self) -> None:
        text, start = self.text, self.pos
        negated = text[start] == "-"
        if negated:
            self.pos += 1
            if self.pos >= len(text) or text[self.pos].isspace():
                raise FilterError(f"the '-' at character {start + 1} must be followed by a word "
                                  "or field:value to leave out, e.g. -status:customer")
        if text[self.pos] == '"':
            self._free_word(self._quoted(), negated)
            return
        word = self._match(_WORD)
        if self.pos < len(text) and text[self.pos] == ":":
            self.pos += 1
            self._field(word, start, negated)
        else:
            self._no_quote_here()
            self._free_word(word, negated)

    def _free_word(self, word: str, negated: bool) -> None:
        folded = fold(word)
        if folded:
            (self.not_words if negated else self.words).append(folded)

    def _field(self, typed: str, start: int, negated: bool) -> None:
        field = typed.casefold()
        if not field:
            raise FilterError(f"the ':' at character {self.pos} needs a field name before it, "
                              "e.g. sector:finance")
        if field not in FIELDS:
            raise FilterError(f"unknown field {quoted(typed)}; the fields are: {', '.join(FIELDS)}")
        op = self._match(_OPERATOR)
        value = self._quoted() if self.text[self.pos:self.pos + 1] == '"' else self._match(_VALUE)
        self._no_quote_here()
        shown = quoted(self.text[start:self.pos])
        if not value.strip():
            raise FilterError(f"{shown} needs a value after '{field}:{op}', "
                              f'e.g. {field}:{op}{_EXAMPLES[field]}')
        value = value.strip()
        test = _test(field, op, value, shown, self.now)
        # A relative date (verified:>30d) passes other rows as time goes on.
        relative = field == "verified" and op and _DAYS.match(value.casefold())
        source = f"{field}:{op}{fold(value)}" + (f"@{self.now}" if relative else "")
        self.terms.append(Term(FIELDS[field], test, source, negated))

    def _match(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.text, self.pos)
        if found is None:
            return ""
        self.pos = found.end()
        return found.group()

    def _quoted(self) -> str:
        """The text between this quote and the next; the position moves past both."""
        opened = self.pos
        closed = self.text.find('"', opened + 1)
        if closed < 0:
            raise FilterError(f"the quote at character {opened + 1} is never closed; "
                              'put a " after the value')
        self.pos = closed + 1
        return self.text[opened + 1:closed]

    def _no_quote_here(self) -> None:
        if self.text[self.pos:self.pos + 1] == '"':
            raise FilterError(f"the quote at character {self.pos + 1} is inside a word; "
                              'quotes go around a whole value, e.g. product:"mimecast for mac"')


_EXAMPLES = {field: "fin" for field in FIELDS} | {
    "name": "acme", "domain": ".co.uk", "type": "reseller", "lead": "ada", "secondary": "ada",
    "status": "customer", "product": '"mimecast for mac"', "users": "500",
    "provision": "2027-06-01", "mail": '"microsoft 365"', "gateway": "mimecast", "dmarc": "none",
    "created": "2026-01-01", "updated": "2026-01-01", "verified": "30d"}


def _test(field: str, op: str, value: str, shown: str, now: datetime) -> Test:
    """What a row's key for `field` must pass for `field:{op}{value}`."""
    if field == "verified" and value.casefold() == "never" and not op:
        return lambda key: key == ""
    if field == "verified" and op and (days := _DAYS.match(value.casefold())):
        cutoff = stored_time(now - timedelta(days=int(days.group(1))))
        # Older than the cutoff is more days ago: '>30d' is a checked_at before it.
        older = op.startswith(">")
        return (lambda key: key != "" and key < cutoff) if older else (lambda key: key >= cutoff)
    if field in NUMBER_FIELDS:
        number = _number(value, shown)
        compare = _OPERATORS[op] if op else _equal
        return lambda key: key != NO_NUMBER and compare(key, number)
    if not op:
        folded = fold(value)
        return lambda key: folded in key
    if field not in DATE_FIELDS:
        raise FilterError(f"{shown}: {op} compares numbers and dates; {field} is text, "
                          f"so write {field}:{_EXAMPLES[field]}")
    day = _date(value, shown, field)
    compare = _OPERATORS[op]
    return lambda key: key != "" and compare(key[:10], day)


def _equal(a: Any, b: Any) -> bool:
    return bool(a == b)


def _number(value: str, shown: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise FilterError(f"{shown}: users is a whole number, e.g. users:>=500")
    return int(value)


def _date(value: str, shown: str, field: str) -> str:
    extra = " or a number of days like 30d" if field == "verified" else ""
    if not _DATE.match(value):
        raise FilterError(f"{shown}: {quoted(value)} is not a date; write YYYY-MM-DD{extra}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise FilterError(f"{shown}: {quoted(value)} is not a date ({error})") from error
