"""A whole prospect judged by store.rules.fields, one row or a whole file's columns at once.

`build_prospect` turns the values a person typed into a valid `Prospect`, or
raises `ProspectInvalid` listing every bad field with a message that names the
rule. The importer asks the same `ProspectRules` for columns of rows: each
field's verdict is remembered per distinct value (a file has a handful of
company types, sectors and leads, a few thousand dates and product lists), so
the rules run once a value, not once a row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from typing import Any

from store.catalog import Catalog
from store.models import ProductLine, Prospect, User
from store.rules import fields
from store.rules.fields import CROSS_FIELD_RULES, CrossFieldRule, Invalid, ProductLines
from store.text import quoted

FIELD_LABELS: dict[str, str] = {
    "company_type": "Company Type",
    "company_name": "Company Name",
    "domain": "Domain",
    "website": "Website",
    "sector": "Sector",
    "implementation_lead": "Implementation Lead",
    "secondary_contact": "Secondary Implementation Contact",
    "expected_provision_date": "Expected Provision Date",
    "permitted_users": "Permitted Users",
    "products": "Products",
}
FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)  # form order, and the template's columns
_AT = {name: i for i, name in enumerate(FIELDS)}
# A column with more distinct values than this (names, domains) hardly repeats: its
# memo is dropped, and each value judged, which is faster and takes less memory.
MEMO_LIMIT = 16384
Record = dict[str, Any]
# Fields judged a whole column at once when every value is plainly valid (else value by value).
_WHOLE_COLUMN: dict[str, Callable[[Sequence[Any]], list[Any] | None]] = {
    "domain": fields.plain_domain_column,
}


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: `field` is the model field, `message` says the rule."""

    field: str
    message: str

    @property
    def label(self) -> str:
        """The field's name as the form and the template show it."""
        return FIELD_LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class ProspectInvalid(ValueError):
    """Raised with every field error found, in form order."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _apply(rule: CrossFieldRule, memo: dict[tuple[Any, ...], str | None],
           args: tuple[Any, ...]) -> str | None:
    """What rule says about these clean values (nothing when one is Invalid), memoised."""
    if args not in memo:
        valid = not any(isinstance(arg, Invalid) for arg in args)
        memo[args] = rule.check(*args) if valid else None
    return memo[args]


class ProspectRules:
    """The field validators and cross-field rules for one catalog and user list.

    Keep one for a bulk job (an import): what it learns about a value is kept.
    """

    def __init__(self, catalog: Catalog, users: Sequence[User]) -> None:
        users = list(users)
        self.validators: dict[str, Callable[[Any], Any]] = {
            "company_type": partial(fields.company_type, catalog=catalog),
            "company_name": fields.company_name,
            "domain": fields.domain,
            "website": fields.website,
            "sector": partial(fields.sector, catalog=catalog),
            "implementation_lead": partial(fields.implementation_lead, users=users),
            "secondary_contact": partial(fields.secondary_contact, users=users),
            "expected_provision_date": fields.expected_provision_date,
            "permitted_users": fields.permitted_users,
            "products": partial(fields.products, line=lru_cache(maxsize=MEMO_LIMIT)(
                partial(fields.product_line, catalog=catalog))),
        }
        self._memo: dict[str, dict[Any, Any]] = {name: {} for name in FIELDS}
        self._bad: dict[str, set[Any]] = {name: set() for name in FIELDS}  # values memo'd Invalid
        self._rule_memo: list[dict[tuple[Any, ...], str | None]] = [{} for _ in CROSS_FIELD_RULES]

    def _column(self, name: str, column: Sequence[Any]) -> tuple[list[Any], list[int]]:
        """Each value's verdict (clean value or Invalid), and the indexes of the Invalid ones."""
        whole = _WHOLE_COLUMN.get(name)
        if whole is not None and (clean := whole(column)) is not None:
            return clean, []
        if name not in self._memo:
            return self._each(name, column)
        memo, bad = self._memo[name], self._bad[name]
        try:
            got = list(map(memo.__getitem__, column))  # the usual case: every value known
        except KeyError:
            if len(memo) > MEMO_LIMIT:  # it hardly repeats (names, domains): judge each value
                del self._memo[name], self._bad[name]
                return self._each(name, column)
            check = self.validators[name]
            for value in set(column).difference(memo):
                try:
                    memo[value] = check(value)
                except Invalid as invalid:
                    memo[value] = invalid
                    bad.add(value)
            got = list(map(memo.__getitem__, column))
        except TypeError:  # an unhashable value (the form's product pairs)
            return self._each(name, column)
        if bad and not bad.isdisjoint(column):
            return got, [i for i, value in enumerate(column) if value in bad]
        return got, []

    def _each(self, name: str, column: Sequence[Any]) -> tuple[list[Any], list[int]]:
        """_column without the memo."""
        check = self.validators[name]
        got: list[Any] = []
        wrong: list[int] = []
        for i, value in enumerate(column):
            try:
                got.append(check(value))
            except Invalid as invalid:
                got.append(invalid)
                wrong.append(i)
        return got, wrong

    def judge(self, columns: Sequence[Sequence[Any]]
              ) -> tuple[list[list[Any]], dict[int, list[FieldError]]]:
        """Judge rows given as columns in FIELDS order.

        Returns the verdicts column by column (a row with errors holds Invalid where a
        field is wrong) and, for each row with errors, its FieldErrors in form order.
        """
        verdicts: list[list[Any]] = []
        errors: dict[int, list[FieldError]] = {}
        for name, column in zip(FIELDS, columns, strict=True):
            got, wrong = self._column(name, column)
            verdicts.append(got)
            for i in wrong:
                errors.setdefault(i, []).extend(FieldError(name, m) for m in got[i].messages)
        for rule, memo in zip(CROSS_FIELD_RULES, self._rule_memo, strict=True):
            read = [verdicts[_AT[name]] for name in rule.reads]
            try:
                broken = any(map(memo.__getitem__, zip(*read, strict=True)))  # usual: known, fine
            except KeyError:
                broken = True  # something new: ask row by row
            if broken:
                said = partial(_apply, rule, memo)
                for i, message in enumerate(map(said, zip(*read, strict=True))):
                    if message is not None:
                        errors.setdefault(i, []).append(FieldError(rule.field, message))
        for found in errors.values():
            found.sort(key=lambda error: _AT[error.field])  # stable: a field's own come first
        return verdicts, errors

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """One row's clean values by field, or ProspectInvalid with every error."""
        verdicts, errors = self.judge([[values.get(name)] for name in FIELDS])
        if errors:
            raise ProspectInvalid(errors[0])
        return {name: column[0] for name, column in zip(FIELDS, verdicts, strict=True)}


def build_prospect(
    values: Mapping[str, Any],
    *,
    catalog: Catalog,
    users: Sequence[User],
    base: Prospect | None = None,
) -> Prospect:
    """A valid Prospect from typed values (keys as in FIELD_LABELS), or ProspectInvalid.

    With `base`, the result keeps base's id, status, history and version so that
    the Store can tell a stale save from a fresh one.
    """
    clean = ProspectRules(catalog, users).clean(values)
    clean["products"] = [ProductLine(product=name, seats=seats)
                         for name, seats in clean["products"]]
    if base is None:
        return Prospect(**clean)
    return base.model_copy(update=clean)


def prospect_record(company_type: str, company_name: str, domain: str, website: str,
                    sector: str, implementation_lead: int, secondary_contact: int | None,
                    expected_provision_date: date | None, permitted_users: int | None,
                    products: ProductLines) -> Record:
    """A new prospect's record from clean values in FIELDS order, as
    Prospect.model_dump(mode="json") gives it without id, times, version and batch."""
    return {"company_type": company_type, "company_name": company_name, "domain": domain,
            "website": website, "sector": sector, "implementation_lead": implementation_lead,
            "secondary_contact": secondary_contact,
            "expected_provision_date": (None if expected_provision_date is None
                                        else expected_provision_date.isoformat()),
            "permitted_users": permitted_users,
            "products": [{"product": p, "seats": n} for p, n in products],
            "domain_check": None, "status": "prospect"}


def name_warning(name: str) -> str | None:
    """A soft warning when a company name looks abbreviated; never a block."""
    words = name.split()
    if not words:
        return None
    letters = "".join(ch for ch in name if ch.isalpha())
    if len(words) == 1 and letters.isupper() and 1 < len(letters) <= 5:
        return f"{quoted(name)} looks like an abbreviation: please give the full company name"
    if len(name.strip()) <= 3:
        return f"{quoted(name)} is very short: please give the full company name"
    return None
