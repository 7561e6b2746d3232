"""The records the app keeps, as pydantic v2 models.

Records are stored as plain JSON objects; these models are applied at the edges
(form, CLI, import) and when a record is written, never on every load.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from store.text import unsafe_character

ProspectStatus = Literal["prospect", "customer"]
OrderStatus = Literal["draft", "submitted"]
DomainVerdict = Literal[
    "mail",  # MX records: receives mail
    "null_mx",  # RFC 7505 null MX: accepts no mail
    "no_mx",  # no MX, but A/AAAA: mail may go to the host itself
    "nxdomain",  # the name does not exist
    "duplicate",  # already a prospect or customer here
    "unknown",  # could not check (timeout, no resolver, server failure)
]


# The validation context for a record read back from the file: what is stored is loaded
# (and shown with visible symbols), never refused; only new values are checked.
AS_STORED = {"as_stored": True}


def now() -> datetime:
    """The current time, timezone-aware UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


_DATETIME = TypeAdapter(datetime)


def stored_time(moment: datetime) -> str:
    """A datetime as a record keeps it: the models' JSON form (UTC ends in 'Z').

    One form for every field a rule writes, so records read, sort and compare alike
    in either backend, and a copy between backends gives back the same text.
    """
    return str(_DATETIME.dump_python(moment, mode="json"))


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class User(Record):
    id: int | None = None
    name: str = Field(min_length=1)
    email: str = Field(min_length=3)
    implementation_lead: bool = False

    @field_validator("name", "email", mode="before")
    @classmethod
    def _no_controls(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str) or (info.context or {}).get("as_stored"):
            return value
        problem = unsafe_character(value.strip())
        if problem is not None:
            # A custom error type keeps pydantic's "Value error, " prefix off the message.
            raise PydanticCustomError("unsafe_character", problem)
        return value

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str) -> str:
        value = value.strip()
        local, _, host = value.partition("@")
        if not local or "." not in host or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not an e-mail address (name@example.com)")
        return value


class ProductLine(Record):
    product: str
    seats: int | None = Field(default=None, ge=1)


DmarcPolicy = Literal["none", "quarantine", "reject"]
SpfAll = Literal["-all", "~all", "?all", "+all"]


class SpfCheck(Record):
    """The domain's SPF record as found (verbatim), None when there is none or it could not
    be checked; lookups counts the DNS lookups it needs, includes followed."""

    record: str | None = None
    all: SpfAll | None = None
    vendors: list[str] = Field(default_factory=list)
    lookups: int = 0
    error: str | None = None


class DmarcCheck(Record):
    """The domain's DMARC record (verbatim) and its tags; junk values are None."""

    record: str | None = None
    policy: DmarcPolicy | None = None
    pct: int | None = None
    sp: DmarcPolicy | None = None
    rua: bool = False


class DomainCheck(Record):
    """What Verify found. Fields added later have defaults, so older stored checks load."""

    verdict: DomainVerdict
    message: str
    mail_host: str | None = None
    checked_at: datetime = Field(default_factory=now)
    mail_provider: str | None = None
    gateway: str | None = None
    spf: SpfCheck = Field(default_factory=SpfCheck)
    dmarc: DmarcCheck = Field(default_factory=DmarcCheck)
    mta_sts: bool | None = None
    tls_rpt: bool | None = None
    signals: list[str] = Field(default_factory=list)


class Prospect(Record):
    id: int | None = None
    company_type: str
    company_name: str
    domain: str
    website: str = ""
    sector: str
    implementation_lead: int
    secondary_contact: int | None = None
    expected_provision_date: date | None = None
    permitted_users: int | None = Field(default=None, ge=1)
    products: list[ProductLine] = Field(default_factory=list)
    domain_check: DomainCheck | None = None
    status: ProspectStatus = "prospect"
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    import_batch: int | None = None
    version: int = 1


class Order(Record):
    id: int | None = None
    prospect: int
    products: list[ProductLine] = Field(default_factory=list)
    permitted_users: int | None = None
    order_number: str = ""
    order_number_not_required: bool = False
    covered_by_msa: bool = False
    authorised: bool = False
    status: OrderStatus = "draft"
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    submitted_at: datetime | None = None
    version: int = 1


class ImportBatch(Record):
    id: int | None = None
    file_name: str
    sha256: str
    imported_at: datetime = Field(default_factory=now)
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    errors: int = 0
    prospect_ids: list[int] = Field(default_factory=list)
    undone_at: datetime | None = None


class View(Record):
    """A saved view of the list: a filter, a letter, a sort and the columns shown.

    Shared with the whole team, or personal (only `owner` sees it). The rules that
    make a view worth saving (a known letter, sort and columns, a filter that parses,
    a printable name) are store.rules.views.checked_view: they need the list's keys,
    which are built from these models. An empty `columns` means the user's own columns.
    """

    id: int | None = None
    name: str
    filter: str = ""
    letter: str = "all"
    sort: str = "company_name"
    descending: bool = False
    columns: list[str] = Field(default_factory=list)
    shared: bool = False
    owner: str = ""
    updated_at: datetime = Field(default_factory=now)
    version: int = 1


class ProspectRow(TypedDict, total=False):
    """A prospect as the list reads it: Prospect's fields in their JSON form, unvalidated.

    Cheap at 100k (no model per row); dates and datetimes are ISO strings.
    """

    company_type: str
    company_name: str
    domain: str
    website: str
    sector: str
    implementation_lead: int
    secondary_contact: int | None
    expected_provision_date: str | None
    permitted_users: int | None
    products: list[dict[str, Any]]
    domain_check: dict[str, Any] | None
    status: str
    created_at: str
    updated_at: str
    import_batch: int | None
    version: int
