"""A prospect's rules, one function a field, plus the rules that read several fields.

Each validator takes the value as typed (or read from a file) and returns the
clean value, or raises `Invalid` whose messages say the rule and the fix; the
caller names the field (see store.rules.validation.FieldError). The form, the
CLI and the importer all come here, so an error reads the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from store.catalog import Catalog
from store.domain.names import DomainError, normalise_domain, plain_domains
from store.models import User
from store.text import quoted, unsafe_character

MAX_NAME = 200
MAX_WEBSITE = 2048
_SPACE = re.compile(r"\s")  # what str.isspace() calls a space
ProductLines = tuple[tuple[str, int | None], ...]  # (catalog name, seats or None)
ProductLineVerdict = tuple[str | None, int | None, str | None]  # see product_line


class Invalid(ValueError):
    """A value a field cannot take; each message says a rule and the fix, without the field."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class AmbiguousUserError(ValueError):
    """A name that more than one user has; the message lists their e-mails."""


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _safe_text(value: object) -> str:
    """The value as stripped text; Invalid when it holds a control or bidi character."""
    text = _text(value)
    problem = unsafe_character(text)
    if problem is not None:
        raise Invalid(problem)
    return text


def _choice(value: object, options: tuple[str, ...], pick: Callable[[str], str | None]) -> str:
    text = _safe_text(value)
    if not text:
        raise Invalid("is required")
    chosen = pick(text)
    if chosen is None:
        raise Invalid(f"{quoted(text)} is not one of: {', '.join(options)}")
    return chosen


def too_long(name: str) -> str | None:
    """Why a name (of a company, or a user) is too long, or None."""
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; at most {MAX_NAME}"
    return None


def whole_number(text: str) -> int:
    """A count of 1 or more ('1,200' is 1200); Invalid says what is wrong with text."""
    try:
        number = int(text.replace(",", "").strip())
    except ValueError:
        number = 0
    if number < 1:
        raise Invalid(f"{quoted(text)} must be a whole number of 1 or more")
    return number


# -- one validator a field, in form order -------------------------------------------------

def company_type(value: object, catalog: Catalog) -> str:
    """The catalog's spelling of the company type (case and spacing ignored)."""
    return _choice(value, catalog.company_types, catalog.company_type)


def company_name(value: object) -> str:
    """The name, stripped but otherwise exactly as given; required, at most MAX_NAME long."""
    name = _safe_text(value)
    if not name:
        raise Invalid("is required")
    problem = too_long(name)
    if problem is not None:
        raise Invalid(problem)
    return name


def domain(value: object) -> str:
    """The normalised ASCII domain (see store.domain.names.normalise_domain)."""
    text = _safe_text(value)
    if not text:
        raise Invalid("is required")
    try:
        return normalise_domain(text).ascii
    except DomainError as error:
        raise Invalid(str(error)) from None


def plain_domain_column(values: Sequence[object]) -> list[str] | None:
    """domain() of every value at once, when all are plain names (an import's usual chunk:
    each name is new, so a memo would not help); None: ask domain() one by one."""
    if set(map(type, values)) != {str}:
        return None
    return plain_domains(values)  # type: ignore[arg-type]  # all str, checked above


def website(value: object) -> str:
    """The web address as given (stripped); optional."""
    text = _safe_text(value)
    if len(text) > MAX_WEBSITE:
        raise Invalid(f"is longer than {MAX_WEBSITE} characters")
    if text and (_SPACE.search(text) or "." not in text):
        raise Invalid(f"{quoted(text)} is not a web address (e.g. https://example.com)")
    return text


def sector(value: object, catalog: Catalog) -> str:
    """The catalog's spelling of the sector (case and spacing ignored)."""
    return _choice(value, catalog.sectors, catalog.sector)


def find_user(users: Iterable[User], ref: object) -> User | None:
    """The user named by id, e-mail (any case) or exact name.

    AmbiguousUserError when several users have that name: picking one would be a guess.
    """
    users = list(users)
    if isinstance(ref, int) and not isinstance(ref, bool):
        return next((u for u in users if u.id == ref), None)
    text = str(ref).strip()
    if not text:
        return None
    folded = text.casefold()
    by_email = next((u for u in users if u.email.casefold() == folded), None)
    if by_email is not None:
        return by_email
    named = [u for u in users if u.name == text]
    if len(named) > 1:
        emails = ", ".join(quoted(u.email) for u in named)
        raise AmbiguousUserError(f"{quoted(text)} is the name of {len(named)} users ({emails}): "
                                 f"give the e-mail instead")
    return named[0] if named else None


def _lead(ref: object, users: Iterable[User]) -> int | None:
    """The id of the implementation lead that ref names; None when ref is blank."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        return None
    if isinstance(ref, str):
        problem = unsafe_character(ref)
        if problem is not None:
            raise Invalid(problem)
    try:
        user = find_user(users, ref)
    except AmbiguousUserError as error:
        raise Invalid(str(error)) from None
    if user is None:
        raise Invalid(f"{quoted(ref)} is not a known user (give an e-mail or exact name)")
    if not user.implementation_lead:
        raise Invalid(f"{quoted(user.name)} is not flagged as an implementation lead")
    return user.id


def implementation_lead(value: object, users: Iterable[User]) -> int:
    """The lead's user id, given by id, e-mail or exact name; required."""
    lead = _lead(value, users)
    if lead is None:
        raise Invalid("is required: choose an implementation lead (add one under Users)")
    return lead


def secondary_contact(value: object, users: Iterable[User]) -> int | None:
    """Another implementation lead's user id; optional."""
    return _lead(value, users)


def expected_provision_date(value: object) -> date | None:
    """A date (a spreadsheet's date cell, or YYYY-MM-DD); optional."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{quoted(text)} is not a date: use YYYY-MM-DD, e.g. 2027-03-15") from None


def permitted_users(value: object) -> int | None:
    """A whole number of 1 or more; optional."""
    text = _text(value)
    return whole_number(text) if text else None


def parse_products(value: object) -> list[tuple[str, str]]:
    """Split 'Cloud Archive; Mimecast for Mac:25' into [(name, seats text)]."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = [p for p in (s.strip() for s in value.split(";")) if p]
        pairs = []
        for part in parts:
            name, _, seats = part.rpartition(":") if ":" in part else (part, "", "")
            pairs.append((name.strip(), seats.strip()))
        return pairs
    if isinstance(value, Mapping):
        return [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    return [(str(name), "" if seats is None else str(seats)) for name, seats in value]  # type: ignore[attr-defined]


def product_line(name: str, seats_text: str, catalog: Catalog) -> ProductLineVerdict:
    """One item of a product list: (catalog name or None, seats, problem or None).

    The name comes back with a seats problem too, so that a repeat is told as one.
    """
    unsafe = unsafe_character(name) or unsafe_character(seats_text)
    if unsafe is not None:
        return None, None, unsafe
    product = catalog.product(name)
    if product is None:
        known = ", ".join(p.name for p in catalog.products)
        return None, None, f"{quoted(name)} is not a product; known products: {known}"
    try:
        seats = whole_number(seats_text) if seats_text else None
    except Invalid:
        return product.name, None, f"seats for {product.name} must be a whole number of 1 or more"
    if product.needs_seats and seats is None:
        return product.name, None, f"{product.name} needs seats: write '{product.name}:25'"
    return product.name, seats, None


def products(value: object, line: Callable[[str, str], ProductLineVerdict]) -> ProductLines:
    """Catalog products with their seats, each listed once; a product that needs seats has them.

    `line` is product_line for the catalog (a bulk job remembers its verdicts). Every
    item's problem is told, one message each.
    """
    lines: list[tuple[str, int | None]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for name, seats_text in parse_products(value):
        product, seats, problem = line(name, seats_text)
        if product is None:
            problems.append(str(problem))
            continue
        if product in seen:
            problems.append(f"{quoted(product)} is listed twice")
            continue
        seen.add(product)
        if problem is not None:
            problems.append(problem)
            continue
        lines.append((product, seats))
    if problems:
        raise Invalid(*problems)
    return tuple(lines)


# -- rules that read several fields -------------------------------------------------------

@dataclass(frozen=True)
class CrossFieldRule:
    """A rule over clean values of `reads`; `check` returns a message about `field`, or None.

    Applied only when every field it reads is valid.
    """

    field: str
    reads: tuple[str, ...]
    check: Callable[..., str | None]


def _not_the_lead(lead: int, secondary: int | None) -> str | None:
    if secondary == lead:
        return "must be someone other than the implementation lead"
    return None


CROSS_FIELD_RULES: tuple[CrossFieldRule, ...] = (
    CrossFieldRule("secondary_contact", ("implementation_lead", "secondary_contact"),
                   _not_the_lead),
)
