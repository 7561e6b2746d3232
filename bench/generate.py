"""Realistic prospects at any size: a data file in the stored format, or an upload CSV.

    python bench/generate.py OUT.json 100000 [--seed 0]   # the app's data file
    python bench/generate.py OUT.csv 500 [--seed 1]       # an upload spreadsheet

The data file is exactly what the Store writes (TinyDB's JSON: tables of records by id
string, each record as `Prospect.model_dump(mode="json", exclude={"id"})` gives), with
the same ~20 users every time. `make_db(path, 0)` gives those users and no prospects, so
a CSV from `make_csv` can be uploaded into it (its leads are those users' e-mails).

Names mix surnames, places, brand words and trades, with accents, `&`, `[UK]`, a few
emoji and a few leading digits. Domains are unique within one call; some accented names
get an internationalised (punycode) domain. With the same seed, `make_csv` rows are the
first `make_db` prospects (handy for duplicate checks); pass `tag` for fresh domains.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
import unicodedata
from bisect import bisect
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import idna
import orjson
from publicsuffixlist import PublicSuffixList

from store.catalog import Catalog, load_catalog
from store.models import DomainCheck

Record = dict[str, Any]

CSV_COLUMNS = (
    "Company Type",
    "Company Name",
    "Domain",
    "Website",
    "Sector",
    "Implementation Lead",
    "Secondary Implementation Contact",
    "Expected Provision Date",
    "Permitted Users",
    "Products",
)

# (name, e-mail, implementation lead): the same users in every generated file.
USERS: tuple[tuple[str, str, bool], ...] = (
    ("Aisha Khan", "aisha.khan@bluewave-msp.co.uk", True),
    ("Ben Carter", "ben.carter@bluewave-msp.co.uk", False),
    ("Chloé Martin", "chloe.martin@bluewave-msp.co.uk", True),
    ("Dmitri Volkov", "dmitri.volkov@bluewave-msp.co.uk", False),
    ("Eilidh MacLeod", "eilidh.macleod@bluewave-msp.co.uk", True),
    ("Fatima Al-Sayed", "fatima.alsayed@bluewave-msp.co.uk", False),
    ("George Okafor", "george.okafor@bluewave-msp.co.uk", True),
    ("Hannah Schmidt", "hannah.schmidt@bluewave-msp.co.uk", False),
    ("Isabel Núñez", "isabel.nunez@bluewave-msp.co.uk", True),
    ("Jack O'Neill", "jack.oneill@bluewave-msp.co.uk", False),
    ("Kenji Watanabe", "kenji.watanabe@bluewave-msp.co.uk", False),
    ("Laura Bianchi", "laura.bianchi@bluewave-msp.co.uk", True),
    ("Mohammed Rahman", "mohammed.rahman@bluewave-msp.co.uk", False),
    ("Niamh Byrne", "niamh.byrne@bluewave-msp.co.uk", False),
    ("Oliver Hughes", "oliver.hughes@bluewave-msp.co.uk", True),
    ("Priya Patel", "priya.patel@bluewave-msp.co.uk", False),
    ("Rhys Evans", "rhys.evans@bluewave-msp.co.uk", False),
    ("Sofia Lindqvist", "sofia.lindqvist@bluewave-msp.co.uk", True),
    ("Tomasz Nowak", "tomasz.nowak@bluewave-msp.co.uk", False),
    ("Zoë Clarke", "zoe.clarke@bluewave-msp.co.uk", False),
)
LEAD_IDS = tuple(i for i, (_, _, lead) in enumerate(USERS, start=1) if lead)
LEAD_EMAILS = tuple(email for _, email, lead in USERS if lead)

SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood",
    "Harris", "Clarke", "Patel", "Khan", "Shah", "Murphy", "O'Connor", "Kelly", "MacDonald",
    "Campbell", "Stewart", "Fraser", "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
    "Dubois", "Lefèvre", "Moreau", "García", "Martínez", "Núñez", "Rossi", "Bianchi", "Jansen",
    "Nowak", "Kowalski", "Novák", "Andersson", "Søndergaard", "Ødegård", "Björk", "Łukasik",
    "Çelik", "Ferreira", "Gonçalves",
)
PLACES = (
    "Thames", "Severn", "Mersey", "Tyne", "Pennine", "Cotswold", "Chiltern", "Highland",
    "Northern", "Southern", "Western", "Atlantic", "Baltic", "Alpine", "Cambridge", "Oxford",
    "Bristol", "Leeds", "Manchester", "Glasgow", "Cardiff", "Belfast", "Dublin", "Zürich", "Köln",
    "München", "Genève", "Montréal", "Québec", "São Paulo", "Malmö", "Göteborg", "Kraków", "Łódź",
    "Århus", "Reykjavík", "Córdoba", "Besançon", "Solent", "Wessex", "Mercia", "Dales", "York",
    "Ulster", "Yorkshire", "Ipswich", "Derby", "Dundee", "Inverness", "Exeter", "Lincoln",
    "Durham", "Lyon", "Valencia", "Utrecht",
)
WORDS = (
    "Apex", "Summit", "Vertex", "Nova", "Zenith", "Pinnacle", "Horizon", "Meridian", "Beacon",
    "Harbour", "Anchor", "Keystone", "Cornerstone", "Bluebell", "Oak", "Cedar", "Willow", "Rowan",
    "Hawthorn", "Kestrel", "Falcon", "Osprey", "Red Kite", "Silverline", "Bright", "Clearview",
    "Trueline", "Blue Sky", "Greenfield", "Northstar", "Evergreen", "Quantum", "Fusion", "Vector",
    "Orbit", "Atlas", "Titan", "Phoenix", "Sterling", "Crown", "Castle", "Bridge", "Granite",
    "Copper", "Ironside", "Crystal", "Swift", "Lumen", "Arrow", "Compass", "Élan", "Aurora",
    "Café", "Maison", "Bellevue", "Fjord", "Unity", "Upland", "Yew Tree", "Xenon", "Ivy",
    "Juniper", "Eagle", "Delta", "Quest", "Vista", "Velocity", "Dynamo", "Insight",
)
STEMS = (
    "Bright", "Blue", "Clear", "Green", "Red", "Silver", "Gold", "Star", "Sun", "Sea", "Sky",
    "Oak", "Stone", "Iron", "Data", "Net",
)
ENDINGS = (
    "wave", "point", "tech", "line", "field", "bridge", "gate", "works", "hub", "ware", "logic",
    "path", "stream", "cloud",
)
TRADES = (
    "Logistics", "Dental", "Dental Practice", "Solicitors", "Accountants", "Engineering",
    "Plumbing & Heating", "Pharmacy", "Recruitment", "Consulting", "Construction", "Architects",
    "Bakery", "Brewery", "Analytics", "Software", "Systems", "Properties", "Veterinary Group",
    "Academy", "Care Homes", "Hotels", "Freight", "Print", "Media", "Studios", "Insurance Brokers",
    "Wealth Management", "Estate Agents", "Haulage", "Electrical", "Roofing", "Landscaping",
    "Catering", "Security", "Telecom", "Energy", "Solar", "Foods", "Farms", "Motors", "Marine",
    "Aviation", "Medical", "Clinic", "Opticians", "Physiotherapy", "Law", "Financial Planning",
    "IT Services", "Cloud", "Networks", "Data", "Labs", "Biotech", "Textiles", "Furniture",
    "Joinery", "Packaging", "Plastics", "Steel", "Chemicals", "Trust", "Foundation", "Charity",
    "Housing Association", "School", "College", "Surveyors",
)
SUFFIXES = ("Ltd", "Limited", "LLP", "plc", "Group", "Holdings", "Inc.", "GmbH", "S.A.",
            "B.V.", "& Co", "& Sons", "Partners", "")
SUFFIX_WEIGHTS = (30, 8, 4, 3, 6, 3, 2, 2, 1, 1, 2, 2, 2, 30)
LEADING_DIGITS = ("24/7", "3D", "1st Choice", "360", "4Sight", "2020", "123", "5 Star",
                  "7 Seas", "10X", "4 Seasons", "3 Counties", "1st Class", "99")
EMOJI = ("🚀", "🌿", "☕", "🐝", "⭐", "🍕", "🔧", "🌊", "🦊", "🍀")
TAGS = ("[UK]", "[UK]", "[UK]", "[IE]", "[EU]")
TLDS = ("co.uk", "com", "uk", "org.uk", "de", "fr", "ie", "nl", "io", "net", "org", "eu",
        "ch", "se", "pl", "es")
TLD_WEIGHTS = (35, 30, 5, 3, 4, 3, 3, 2, 3, 4, 2, 2, 1, 1, 1, 1)
MAIL_HOSTS = ("Microsoft 365", "Google Workspace", "Mimecast", "Proofpoint", None)
GATEWAYS = ("Mimecast", "Proofpoint")
VERDICTS = ("mail", "no_mx", "nxdomain", "null_mx", "unknown")
VERDICT_WEIGHTS = (85, 5, 3, 1, 6)
VERDICT_MESSAGES = {
    "mail": "receives mail",
    "no_mx": "no MX records: mail may go to the host itself",
    "nxdomain": "the domain does not exist",
    "null_mx": "accepts no mail (null MX)",
    "unknown": "could not check: the DNS server did not answer in time",
}
# Letters NFKD does not take apart.
_ASCII = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae",
                        "Æ": "AE", "đ": "d", "ı": "i", "œ": "oe"})
_EPOCH = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp())
_SPAN = int(datetime(2026, 6, 30, tzinfo=UTC).timestamp()) - _EPOCH


class Weighted:
    """Items picked by weight; bisect on one random number is 5x faster than choices()."""

    def __init__(self, items: tuple[Any, ...], weights: tuple[float, ...]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


PICK_SUFFIX = Weighted(SUFFIXES, SUFFIX_WEIGHTS)
PICK_TLD = Weighted(TLDS, TLD_WEIGHTS)
PICK_VERDICT = Weighted(VERDICTS, VERDICT_WEIGHTS)
PICK_PRODUCT_COUNT = Weighted((0, 1, 2, 3, 4, 5), (15, 25, 25, 20, 10, 5))


def make_users() -> dict[str, Record]:
    """The users table: the same ~20 users, some of them implementation leads."""
    return {
        str(i): {"name": name, "email": email, "implementation_lead": lead}
        for i, (name, email, lead) in enumerate(USERS, start=1)
    }


def company_name(rng: random.Random) -> str:
    """One realistic company name."""
    pick = rng.choice
    suffix = PICK_SUFFIX(rng)
    roll = rng.random()
    if roll < 0.20:
        parts = [pick(SURNAMES), pick(TRADES), suffix]
    elif roll < 0.43:
        parts = [pick(WORDS), pick(TRADES), suffix]
    elif roll < 0.57:
        parts = [pick(PLACES), pick(TRADES), suffix]
    elif roll < 0.67:
        parts = [pick(SURNAMES), "&", pick(SURNAMES), pick((pick(TRADES), suffix))]
    elif roll < 0.75:
        parts = [pick(STEMS) + pick(ENDINGS), pick(TRADES), suffix]
    elif roll < 0.80:
        parts = ["The", pick(WORDS), pick(TRADES)]
    elif roll < 0.84:
        parts = [pick(SURNAMES), pick(TRADES), pick(TAGS), suffix]
    elif roll < 0.87:
        parts = [pick(LEADING_DIGITS), pick(TRADES), suffix]
    elif roll < 0.88:
        emoji = pick(EMOJI)
        parts = [emoji, pick(WORDS), pick(TRADES)] if rng.random() < 0.4 else \
            [pick(WORDS), pick(TRADES), emoji]
    elif roll < 0.91:
        a, b = rng.sample("ABCDEFGHJKLMNPRSTW", 2)
        parts = [f"{a}&{b}" if rng.random() < 0.5 else f"{a}{b}{pick('CGKLMPST')}",
                 pick(TRADES), suffix]
    elif roll < 0.95:
        parts = [pick(TRADES).split()[0], "of", pick(PLACES)]
    else:
        parts = [pick(WORDS), "&", pick(WORDS), pick(TRADES)]
    return " ".join(p for p in parts if p)


@lru_cache(maxsize=1)
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()


@lru_cache(maxsize=4096)
def _ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


@lru_cache(maxsize=4096)
def _unicode_slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _domain(name: str, rng: random.Random, taken: set[str], tag: str) -> tuple[str, str]:
    """(stored ASCII domain, as a person types it) for a name, unique within `taken`."""
    words = [w for w in name.split() if w not in SUFFIXES and w != "&" and not w.startswith("[")]
    words = words[: rng.choice((1, 2, 2, 3))] or ["company"]
    joiner = "-" if rng.random() < 0.25 else ""
    tld = PICK_TLD(rng)
    label = joiner.join(s for s in (_ascii_slug(w) for w in words) if s)[:40] or "firm"
    native = ""
    if not joiner.join(words).isascii() and rng.random() < 0.3:
        native = joiner.join(s for s in (_unicode_slug(w) for w in words) if s)[:40]
    if tag:
        label, native = f"{label}-{tag}", native and f"{native}-{tag}"
    n, typed = 1, ""
    while True:
        suffix = str(n) if n > 1 else ""
        if native:
            try:
                label_n, typed = idna.encode(native + suffix).decode("ascii"), native + suffix
            except idna.IDNAError:
                native, typed = "", ""
                continue
        else:
            label_n = label + suffix
        candidate = f"{label_n}.{tld}"
        if candidate not in taken and not _public_suffixes().is_public(candidate):
            label = label_n
            break
        n += 1
    domain = f"{label}.{tld}"
    taken.add(domain)
    return domain, (f"{typed}.{tld}" if typed else domain)


def _stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_EPOCH + seconds))


def prospect_rows(
    n: int, *, seed: int = 0, catalog: Catalog | None = None, tag: str = ""
) -> Iterator[tuple[Record, str]]:
    """Yield n (stored record, domain as typed) pairs; the same seed gives the same rows."""
    rng = random.Random(seed)
    catalog = catalog or load_catalog()
    types = catalog.company_types
    pick_type = Weighted(types, (60, *[40 / max(len(types) - 1, 1)] * (len(types) - 1)))
    products = catalog.products
    others = {lead: [i for i in LEAD_IDS if i != lead] for lead in LEAD_IDS}
    taken: set[str] = set()
    for _ in range(n):
        name = company_name(rng)
        domain, typed = _domain(name, rng, taken, tag)
        roll = rng.random()
        website = (f"https://www.{domain}" if roll < 0.6 else
                   f"https://{domain}/" if roll < 0.7 else "")
        lead = rng.choice(LEAD_IDS)
        secondary = rng.choice(others[lead]) if rng.random() < 0.3 else None
        provision = None
        if rng.random() < 0.45:
            provision = (date(2024, 1, 1) + timedelta(days=rng.randrange(1460))).isoformat()
        permitted = None
        if rng.random() < 0.55:
            permitted = max(1, min(100_000, int(rng.lognormvariate(4.0, 1.2))))
        lines = []
        count = PICK_PRODUCT_COUNT(rng)
        for product in rng.sample(products, min(count, len(products))):
            seats = None
            if product.needs_seats or rng.random() < 0.2:
                seats = rng.randint(1, 500)
            lines.append({"product": product.name, "seats": seats})
        created = rng.randrange(_SPAN)
        updated = created if rng.random() < 0.5 else min(_SPAN, created + rng.randrange(200 * 86400))
        check = None
        if rng.random() < 0.25:
            verdict = PICK_VERDICT(rng)
            host = rng.choice(MAIL_HOSTS) if verdict == "mail" else None
            message = VERDICT_MESSAGES[verdict] + (f" ({host})" if host else "")
            who = {"gateway" if host in GATEWAYS else "mail_provider": host} if host else {}
            check = DomainCheck(verdict=verdict, message=message, mail_host=host,
                                checked_at=_stamp(updated), **who).model_dump(mode="json")
        record = {
            "company_type": pick_type(rng),
            "company_name": name,
            "domain": domain,
            "website": website,
            "sector": rng.choice(catalog.sectors),
            "implementation_lead": lead,
            "secondary_contact": secondary,
            "expected_provision_date": provision,
            "permitted_users": permitted,
            "products": lines,
            "domain_check": check,
            "status": "customer" if rng.random() < 0.15 else "prospect",
            "created_at": _stamp(created),
            "updated_at": _stamp(updated),
            "import_batch": None,
            "version": 1 if updated == created else 1 + rng.randint(1, 5),
        }
        yield record, typed


def make_data(n: int, *, seed: int = 0, catalog: Catalog | None = None) -> dict[str, Any]:
    """The tables of a data file with n prospects, as the Store keeps them in memory."""
    rows = prospect_rows(n, seed=seed, catalog=catalog)
    return {
        "users": make_users(),
        "prospects": {str(i): record for i, (record, _) in enumerate(rows, start=1)},
    }


def _write_atomic(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.generate-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.replace(tmp, path)


def make_db(path: Path | str, n: int, *, seed: int = 0, catalog: Catalog | None = None) -> int:
    """Write a data file with the users and n prospects, mode 0600; return its size in bytes."""
    payload = orjson.dumps(make_data(n, seed=seed, catalog=catalog))
    _write_atomic(Path(path), payload)
    return len(payload)


def make_csv(
    path: Path | str, n: int, *, seed: int = 0, catalog: Catalog | None = None, tag: str = ""
) -> int:
    """Write an upload CSV (CSV_COLUMNS) of n prospects; return the number of rows.

    Leads are e-mails of the users in `make_users()`; domains are written as a person
    types them (internationalised ones in Unicode); products as 'Name:seats; Name'.
    """
    emails = {i: email for i, (_, email, _) in enumerate(USERS, start=1)}
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(CSV_COLUMNS)
        for record, typed in prospect_rows(n, seed=seed, catalog=catalog, tag=tag):
            secondary = record["secondary_contact"]
            out.writerow((
                record["company_type"],
                record["company_name"],
                typed,
                record["website"],
                record["sector"],
                emails[record["implementation_lead"]],
                emails[secondary] if secondary else "",
                record["expected_provision_date"] or "",
                record["permitted_users"] or "",
                "; ".join(f"{p['product']}:{p['seats']}" if p["seats"] else p["product"]
                          for p in record["products"]),
            ))
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="OUT.json (a data file) or OUT.csv (an upload)")
    parser.add_argument("n", type=int, help="how many prospects")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="", help="CSV only: added to every domain label")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.out.suffix.lower() == ".csv":
        make_csv(args.out, args.n, seed=args.seed, tag=args.tag)
        what = "upload rows"
    else:
        make_db(args.out, args.n, seed=args.seed)
        what = "prospects"
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.n:,} {what} to {args.out.name} ({size:.1f} MB) "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def floor_write(data: Any, folder: Path) -> float:
    """orjson.dumps + write + fsync of the whole data: the least a save can cost."""
    scratch = folder / f".floor-{os.getpid()}.json"
    started = time.perf_counter()
    payload = orjson.dumps(data)
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    elapsed = time.perf_counter() - started
    scratch.unlink()
    return elapsed
