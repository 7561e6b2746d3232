"""The commands about prospects and users: add, list, users, catalog."""

from __future__ import annotations

import argparse
import sys

from store.listing import COLUMNS, ProspectList
from store.models import User
from store.text import quoted
from tui.cli.errors import OK, CommandError
from tui.cli.options import open_store
from tui.cli.output import emit_json, safe
from tui.cli.selection import DESCRIPTION, add_selection_options, open_selection


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `users`, `add`, `list` and `catalog` to the parser's subparsers."""
    users = sub.add_parser("users", help="add or list users (implementation leads)")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add_user = users_sub.add_parser("add", help="add a user")
    add_user.add_argument("name")
    add_user.add_argument("--email", required=True)
    add_user.add_argument("--lead", action="store_true", help="an implementation lead")
    add_user.set_defaults(handler=users_add)
    list_users = users_sub.add_parser("list", help="list users")
    list_users.add_argument("--json", action="store_true")
    list_users.set_defaults(handler=users_list)

    add = sub.add_parser("add", help="create one prospect; prints its id")
    add.add_argument("--company-type", required=True)
    add.add_argument("--company-name", required=True)
    add.add_argument("--domain", required=True)
    add.add_argument("--sector", required=True)
    add.add_argument("--lead", required=True, help="the implementation lead's e-mail or name")
    add.add_argument("--website", default="")
    add.add_argument("--secondary", help="the secondary implementation contact's e-mail")
    add.add_argument("--provision-date", help="YYYY-MM-DD")
    add.add_argument("--permitted-users")
    add.add_argument("--product", action="append", default=[], metavar="NAME[:SEATS]")
    add.set_defaults(handler=add_prospect)

    listing = sub.add_parser("list", help="list prospects", description=DESCRIPTION)
    add_selection_options(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_prospects)

    catalog = sub.add_parser("catalog", help="company types, sectors and products")
    catalog.add_argument("--json", action="store_true")
    catalog.set_defaults(handler=show_catalog)


def users_add(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        user = User(name=args.name, email=args.email, implementation_lead=args.lead)
    except ValueError as error:
        raise CommandError(_pydantic_message(error)) from error
    saved = store.add_user(user)
    print(saved.id)
    return OK


def _pydantic_message(error: ValueError) -> str:
    from pydantic import ValidationError  # noqa: PLC0415

    if isinstance(error, ValidationError):
        return "\n".join(
            f"{'.'.join(str(p) for p in e['loc']).replace('_', ' ').capitalize()}: {e['msg']}"
            for e in error.errors()
        )
    return str(error)


def users_list(args: argparse.Namespace) -> int:
    users = open_store(args).users()
    if args.json:
        emit_json([u.model_dump(mode="json") for u in users])
        return OK
    for user in users:
        lead = "  (implementation lead)" if user.implementation_lead else ""
        print(f"{user.id}\t{safe(user.name, 60)}\t{safe(user.email, 80)}{lead}")
    return OK


def add_prospect(args: argparse.Namespace) -> int:
    from store.rules.validation import build_prospect  # noqa: PLC0415

    store = open_store(args)
    values = {
        "company_type": args.company_type,
        "company_name": args.company_name,
        "domain": args.domain,
        "website": args.website,
        "sector": args.sector,
        "implementation_lead": args.lead,
        "secondary_contact": args.secondary,
        "expected_provision_date": args.provision_date,
        "permitted_users": args.permitted_users,
        "products": "; ".join(args.product),
    }
    prospect = build_prospect(values, catalog=store.catalog, users=store.users())
    namesakes = store.same_name_prospects(prospect.company_name)
    saved = store.create_prospect(prospect, via="cli")
    for other in namesakes:
        print(f"warning: {safe(other.status)} {other.id} ({safe(other.domain)}) has the same name, "
              f"{quoted(other.company_name)}; added anyway, as {saved.id}", file=sys.stderr)
    print(saved.id)
    return OK


_WIDTHS = {"company_name": 40, "domain": 30, "implementation_lead": 24, "status": 9,
           "products": 40, "mail": 24, "company_type": 16, "sector": 18}


def list_prospects(args: argparse.Namespace) -> int:
    store, chosen = open_selection(args)
    users = {u.id: u.name for u in store.users() if u.id is not None}
    prospects = ProspectList(store.prospect_rows(), users)
    prospects.sort(chosen.sort, chosen.descending)
    rows = prospects.matching(chosen.where, chosen.letter)
    if args.json:
        emit_json([{"id": prospects.ids[i], **prospects.records[i]} for i in rows])
        return OK
    shown = chosen.view.columns or ["company_name", "domain", "implementation_lead", "status"]
    widths = {key: _WIDTHS.get(key, 20) for key in shown}  # a view's columns, in its order
    print("  ".join(COLUMNS[k].ljust(w) for k, w in widths.items()).rstrip())
    for i in rows:
        cells = (safe(prospects.cell(i, k), w).ljust(w) for k, w in widths.items())
        print("  ".join(cells).rstrip())
    print(f"{len(rows)} of {len(prospects)} prospects", file=sys.stderr)
    return OK


def show_catalog(args: argparse.Namespace) -> int:
    from store.catalog import load_catalog  # noqa: PLC0415

    catalog = load_catalog(args.catalog)
    if args.json:
        emit_json(catalog.as_json())
        return OK
    print("Company types:")
    print("".join(f"  {safe(t)}\n" for t in catalog.company_types), end="")
    print("Sectors:")
    print("".join(f"  {safe(s)}\n" for s in catalog.sectors), end="")
    print("Products (* needs seats):")
    print("".join(f"  {safe(p.name)}{' *' if p.needs_seats else ''}\n"
                  for p in catalog.products), end="")
    return OK
