"""Judge many upload rows quickly, by store.rules.validation's own rules.

Validating 100k rows one by one through build_prospect (pydantic, IDNA) costs
60x a plain CSV pass. But most columns repeat: a file has a handful of company
types, sectors and leads, a few hundred dates and product lists. RowJudge
learns each distinct value's verdict once, by asking build_prospect itself
with a probe row that is valid in every other column, then judges a whole
chunk of rows column by column with C-speed map() over those verdicts. Plain
ASCII domains are checked in bulk; anything unusual falls back, row by row,
to build_prospect, which also writes every error message. So the verdicts are
validation's, only cached; tests compare them with build_prospect row by row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any, overload

from store.catalog import Catalog
from store.domain import names as domain_rules
from store.models import User
from store.rules.validation import (
    FIELD_LABELS,
    MAX_NAME,
    MAX_WEBSITE,
    ProspectInvalid,
    build_prospect,
)
from store.text import unsafe_character

Record = dict[str, Any]
FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
_AT = {name: i for i, name in enumerate(FIELDS)}
_CACHED = ("company_type", "sector", "expected_provision_date", "permitted_users", "products")
_UNSET = object()
_INVALID = object()
_PLAIN_DOMAIN = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Over many lower-case domains joined by newlines (each at most 63 long):
# a label that starts with a digit where the last label must start with a letter.
_BAD_LAST_LABEL = re.compile(r"\.[^a-z\n][^.\n]*$", re.MULTILINE)
_CLASSES = bytes(0 if chr(b) in ".-\n" else 1 if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789"
                 else 2 for b in range(256))
_NO_DOT = re.compile(r"^[^.\n]+$", re.MULTILINE)  # a non-empty line without a dot


@lru_cache(maxsize=1)
def _psl_index(psl: Any) -> tuple[frozenset[str], frozenset[str]] | None:
    """The Public Suffix List's rules and its wildcard rules' bases ('*.ck' gives 'ck').

    By the list's algorithm x.example is public only if 'x.example' or
    '*.x.example' or '*.example' is a rule, so most names need no lookup (one
    costs a third of the time of judging a row). None when the library keeps
    its rules elsewhere: then every name is looked up.
    """
    rules = getattr(psl, "_publicsuffix", None)
    if not isinstance(rules, frozenset):
        return None
    wild = frozenset(str(rule)[2:] for rule in rules if str(rule).startswith("*."))
    return frozenset(map(str, rules)), wild


def _maybe_public(index: tuple[frozenset[str], frozenset[str]] | None, name: str,
                  parent: str) -> bool:
    if index is None:
        return True
    rules, wild = index
    return name in rules or name in wild or parent in wild


def _plain_verdict(name: str, value: Any) -> Any:
    """A plainly valid number or ISO date judged without a probe (a big file has
    thousands of distinct ones); _UNSET for anything else."""
    if type(value) is not str or not value.isascii():
        return _UNSET
    if name == "permitted_users" and value.isdigit() and len(value) < 10 and int(value) >= 1:
        return int(value)
    if (name == "expected_provision_date" and len(value) == 10 and value[4] == "-" == value[7]
            and (value[:4] + value[5:7] + value[8:]).isdigit()):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return _UNSET
    return _UNSET


def _plain_website(text: str) -> bool:
    return not text or (len(text) <= MAX_WEBSITE and "." in text and " " not in text
                        and text.isascii() and text.isprintable())


class RowJudge:
    """Turns upload rows into records to create; None marks a row to explain row by row."""

    def __init__(self, catalog: Catalog, users: Sequence[User]) -> None:
        self.catalog = catalog
        self.users = users
        lead = next((u for u in users if u.implementation_lead), None)
        self.probe: Record | None = None
        if lead is not None:
            self.probe = {"company_type": catalog.company_types[0], "company_name": "Probe",
                          "domain": "example.com", "sector": catalog.sectors[0],
                          "implementation_lead": lead.email}
        self.memo: dict[str, dict[Any, Any]] = {name: {} for name in _CACHED}
        self.people: dict[tuple[Any, Any], Any] = {}
        self.bad: dict[str, set[Any]] = {name: set() for name in _CACHED}
        self.bad_people: set[tuple[Any, Any]] = set()
        self.items: dict[str, Any] = {}
        self._psl = domain_rules._psl()
        self._index = _psl_index(self._psl)

    # -- learning one value's verdict ------------------------------------------------

    def _learn(self, name: str, value: Any) -> Any:
        verdict: Any = _plain_verdict(name, value)
        if verdict is _UNSET and name == "products" and isinstance(value, str):
            verdict = self._learn_products(value)
        if verdict is _UNSET:
            verdict = self._probe({name: value}, name)
        self.memo[name][value] = verdict
        return verdict

    def _probe(self, values: Record, name: str) -> Any:
        """build_prospect's canonical value for one column, or _INVALID."""
        if self.probe is None:
            return _INVALID
        try:
            prospect = build_prospect({**self.probe, **values},
                                      catalog=self.catalog, users=self.users)
        except ProspectInvalid:
            return _INVALID
        if name == "people":
            return (prospect.implementation_lead, prospect.secondary_contact)
        verdict = getattr(prospect, name)
        if name == "expected_provision_date" and verdict is not None:
            return verdict.isoformat()
        if name == "products":
            return tuple((line.product, line.seats) for line in verdict)
        return verdict

    def _learn_products(self, cell: str) -> Any:
        """A product list judged item by item (seat counts make many distinct lists).

        Split as parse_products splits; each item's verdict is remembered by its text.
        """
        lines = []
        for part in cell.split(";"):
            part = part.strip()
            if not part:
                continue
            got = self.items.get(part, _UNSET)
            if got is _UNSET:
                got = self.items[part] = self._probe({"products": part}, "products")
            if got is _INVALID or len(got) != 1:
                return _UNSET  # the probe of the whole list will judge it
            lines.append(got[0])
        if len({product for product, _ in lines}) != len(lines):
            return _UNSET  # listed twice
        return tuple(lines)

    def _learn_people(self, pair: tuple[Any, Any]) -> Any:
        verdict = self._probe({"implementation_lead": pair[0], "secondary_contact": pair[1]},
                              "people")
        self.people[pair] = verdict
        return verdict

    # -- judging -----------------------------------------------------------------------

    def plain_domain(self, raw: str) -> str | None:
        """The normalised domain when raw is plainly valid ASCII; None: ask normalise_domain.

        Only names that normalise_domain returns unchanged but for case (letters,
        digits, inner hyphens; no 'www.', no '--' as in punycode) pass.
        """
        name = raw.strip()
        if not name.isascii():
            return None
        name = name.lower()
        if (len(name) > 253 or "--" in name or name.startswith("www.")
                or _PLAIN_DOMAIN.fullmatch(name) is None):
            return None
        if _maybe_public(self._index, name, name.partition(".")[2]) and \
                self._psl.is_public(name):
            return None
        return name

    def _plain_domains(self, column: Sequence[str]) -> list[str | None]:
        """plain_domain over a column, in bulk when every name is plain (the usual case)."""
        names = list(map(str.strip, column))
        joined = "\n".join(names).lower()
        lowered = joined.split("\n")
        # In bytes: '.', '-' and newline become 0, allowed letters and digits 1, all else 2.
        classes = joined.encode("ascii", "replace").translate(_CLASSES)
        if (not joined.isascii() or len(lowered) != len(names) or b"\x02" in classes
                or b"\x00\x00" in classes or classes[:1] == b"\x00" or classes[-1:] == b"\x00"
                or max(map(len, names)) > 63 or "\nwww." in joined or joined.startswith("www.")
                or _BAD_LAST_LABEL.search(joined)):
            return [self.plain_domain(raw) for raw in column]
        parts = list(map(str.partition, lowered, repeat(".")))
        if "" in map(itemgetter(1), parts):
            return [self.plain_domain(raw) for raw in column]  # a name without a dot
        result: list[str | None] = list(lowered)
        index = self._index
        if (index is None or not index[0].isdisjoint(lowered) or not index[1].isdisjoint(lowered)
                or not index[1].isdisjoint(map(itemgetter(2), parts))):
            for i, name in enumerate(lowered):
                if _maybe_public(index, name, parts[i][2]) and self._psl.is_public(name):
                    result[i] = None
        return result

    def _column(self, name: str, column: Sequence[Any], slow: set[int]) -> list[Any]:
        memo, bad = self.memo[name], self.bad[name]
        try:
            got = list(map(memo.__getitem__, column))  # the usual case: every value known
        except KeyError:
            for value in set(column) - memo.keys():
                if self._learn(name, value) is _INVALID:
                    bad.add(value)
            got = list(map(memo.__getitem__, column))
        if bad and not bad.isdisjoint(column):
            slow.update(i for i, value in enumerate(column) if value in bad)
        return got

    def judge(self, columns: Sequence[Sequence[Any]]) -> tuple[list[list[Any]], set[int]]:
        """Judge rows given as columns in FIELDS order (text columns as str; the date
        column may hold dates). Returns the canonical values, column by column, and
        the rows that are not plainly valid: build_prospect must judge those."""
        slow: set[int] = set()
        if not columns[0]:
            return [[] for _ in FIELDS], slow
        cached = {name: self._column(name, columns[_AT[name]], slow) for name in _CACHED}
        pairs = list(zip(columns[_AT["implementation_lead"]],
                         columns[_AT["secondary_contact"]], strict=True))
        try:
            people = list(map(self.people.__getitem__, pairs))
        except KeyError:
            for pair in set(pairs) - self.people.keys():
                if self._learn_people(pair) is _INVALID:
                    self.bad_people.add(pair)
                    self.people[pair] = (None, None)
            people = list(map(self.people.__getitem__, pairs))
        if self.bad_people and not self.bad_people.isdisjoint(pairs):
            slow.update(i for i, pair in enumerate(pairs) if pair in self.bad_people)
        names = list(map(str.strip, columns[_AT["company_name"]]))
        if "" in names or max(map(len, names)) > MAX_NAME:
            slow.update(i for i, name in enumerate(names) if not name or len(name) > MAX_NAME)
        if not "".join(names).isprintable():  # a control or bidi character: validation refuses it
            slow.update(i for i, name in enumerate(names) if unsafe_character(name))
        sites = list(map(str.strip, columns[_AT["website"]]))
        joined = "".join(sites)
        if not (joined.isascii() and joined.isprintable() and " " not in joined
                and max(map(len, sites)) <= MAX_WEBSITE
                and not _NO_DOT.search("\n".join(sites))):
            slow.update(i for i, site in enumerate(sites) if not _plain_website(site))
        domains = self._plain_domains(columns[_AT["domain"]])
        if None in domains:
            slow.update(i for i, domain in enumerate(domains) if domain is None)
        return [cached["company_type"], names, domains, sites, cached["sector"],
                list(map(itemgetter(0), people)), list(map(itemgetter(1), people)),
                cached["expected_provision_date"], cached["permitted_users"],
                cached["products"]], slow

    def records(self, columns: Sequence[Sequence[Any]]) -> list[Record | None]:
        """judge() as a record per row, None where build_prospect must judge."""
        values, slow = self.judge(columns)
        return [None if i in slow else build_record(*row) for i, row in enumerate(zip(*values, strict=True))]

    def record(self, values: Sequence[Any]) -> Record | None:
        """records() for one row given in FIELDS order."""
        return self.records([[value] for value in values])[0]

    def explain(self, values: Sequence[Any]) -> Record | ProspectInvalid:
        """build_prospect's own verdict on one row: its record, or the errors."""
        try:
            prospect = build_prospect(dict(zip(FIELDS, values, strict=True)),
                                      catalog=self.catalog, users=self.users)
        except ProspectInvalid as invalid:
            return invalid
        return prospect.model_dump(
            mode="json", exclude={"id", "created_at", "updated_at", "version", "import_batch"})


def build_record(company_type: str, company_name: str, domain: str, website: str, sector: str,
                 implementation_lead: int, secondary_contact: int | None,
                 expected_provision_date: str | None, permitted_users: int | None,
                 products: tuple[tuple[str, int | None], ...]) -> Record:
    """A prospect record as Prospect.model_dump(mode="json") gives it (no id, no times)."""
    return {"company_type": company_type, "company_name": company_name, "domain": domain,
            "website": website, "sector": sector, "implementation_lead": implementation_lead,
            "secondary_contact": secondary_contact,
            "expected_provision_date": expected_provision_date,
            "permitted_users": permitted_users,
            "products": [{"product": p, "seats": n} for p, n in products] if products else [],
            "domain_check": None, "status": "prospect"}


class PlannedRecords(Sequence[Record]):
    """The records an import will create, kept column by column (FIELDS order).

    Each record is built when read, so the plan holds shared canonical values
    and the write builds every record once, fresh, for the store to take over.
    """

    def __init__(self) -> None:
        self.columns: list[list[Any]] = [[] for _ in FIELDS]

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return build_record(*(column[index] for column in self.columns))

    def __iter__(self) -> Iterator[Record]:
        return map(build_record, *self.columns)

    @property
    def domains(self) -> list[str]:
        """Each record's domain, without building the records."""
        return self.columns[_AT["domain"]]

    def extend_columns(self, columns: Sequence[Sequence[Any]]) -> None:
        """Add many records given as canonical columns."""
        for mine, more in zip(self.columns, columns, strict=True):
            mine.extend(more)

    def add_row(self, columns: Sequence[Sequence[Any]], i: int) -> None:
        """Add row i of canonical columns."""
        for mine, more in zip(self.columns, columns, strict=True):
            mine.append(more[i])

    def add_record(self, record: Record) -> None:
        """Add a record as build_prospect made it (see RowJudge.explain)."""
        products = tuple((p["product"], p["seats"]) for p in record["products"])
        for name, mine in zip(FIELDS, self.columns, strict=True):
            mine.append(products if name == "products" else record[name])
