"""`verify DOMAIN` and `verify --all`: is it here already, who runs its mail, how it is protected."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from tui.cli.errors import OK, USAGE_ERROR, CommandError
from tui.cli.options import open_store
from tui.cli.output import emit_json, safe

if TYPE_CHECKING:
    from store.domain.dns import Nameserver
    from store.models import DomainCheck
    from store.rules.store import Store

MAX_LIFETIME = 60.0
COULD_NOT_CHECK = 3  # the exit code when DNS gave no answer (one domain, or any of --all)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `verify` to the parser's subparsers."""
    verify = sub.add_parser(
        "verify", help="check a domain (or every prospect's): duplicate here? who runs the "
        "mail? SPF, DMARC", description="Exit codes: 0 fine, 1 a problem found (one domain), "
        "3 could not check (one domain, or any with --all).")
    verify.add_argument("domain", nargs="?")
    verify.add_argument("--all", action="store_true",
                        help="every prospect, many at once, saving the answers with them")
    verify.add_argument("--older-than", type=_days, metavar="DAYS",
                        help="with --all: only those not checked for DAYS days")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--lifetime", type=_lifetime, default=3.0,
                        help=f"seconds to wait for DNS per domain, more than 0 and at most "
                        f"{MAX_LIFETIME:g} (default 3)")
    verify.set_defaults(handler=verify_command)


def _lifetime(text: str) -> float:
    """--lifetime: a number of seconds, bounded so that a typo cannot wait forever."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= MAX_LIFETIME:  # also refuses nan
        raise argparse.ArgumentTypeError(
            f"{text!r} must be more than 0 and at most {MAX_LIFETIME:g} seconds")
    return seconds


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 <= days <= 36500:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of days from 0 to 36500")
    return days


def verify_command(args: argparse.Namespace) -> int:
    from store.rules.verify import resolve_nameserver  # noqa: PLC0415 - dnspython when needed

    if args.all == (args.domain is not None):
        raise CommandError("give a DOMAIN or --all (not both)", USAGE_ERROR)
    if args.older_than is not None and not args.all:
        raise CommandError("--older-than goes with --all", USAGE_ERROR)
    try:  # read only here: a bad setting must not stop the commands that never resolve
        nameserver = resolve_nameserver(args.nameserver)
    except ValueError as error:
        raise CommandError(f"--nameserver: {error}" if args.nameserver else str(error),
                           USAGE_ERROR) from None
    store = open_store(args)
    if args.all:
        return _verify_all(args, store, nameserver)
    from store.domain.summary import summary_line  # noqa: PLC0415
    from store.rules.verify import verify  # noqa: PLC0415

    result = verify(store, args.domain, nameserver=nameserver, lifetime=args.lifetime)
    if args.json:
        emit_json(result.as_json())
    else:
        print(f"{safe(result.domain_display)}: {safe(result.check.message)}")
        summary = summary_line(result.check)
        if summary:
            print(f"  {safe(summary)}")
        print("".join(f"  - {safe(signal)}\n" for signal in result.check.signals), end="")
    return result.exit_code


def _verify_all(args: argparse.Namespace, store: Store, nameserver: Nameserver | None) -> int:
    from store.listing import display_domain  # noqa: PLC0415
    from store.rules.verify import check_json  # noqa: PLC0415
    from store.rules.verify_all import VerifyAll, due_for_check  # noqa: PLC0415

    older = timedelta(days=args.older_than) if args.older_than is not None else None
    records = store.prospect_rows()
    targets = due_for_check(records, older)
    answers: dict[int, DomainCheck] = {}

    def save(results: Mapping[int, DomainCheck]) -> int:
        for prospect_id, check in results.items():
            answers[prospect_id] = check
        return store.record_checks(results)

    run = VerifyAll(targets, save, nameserver=nameserver, lifetime=args.lifetime)
    try:
        progress = asyncio.run(run.run())
    except ValueError as error:
        raise CommandError(str(error), COULD_NOT_CHECK) from None
    domains = dict(targets)
    if args.json:
        emit_json([{"id": pid, "domain": domains[pid],
                    "domain_unicode": display_domain(domains[pid]),
                    **check_json(check)} for pid, check in sorted(answers.items())])
    else:
        for pid, check in sorted(answers.items()):
            print(f"{pid}\t{safe(display_domain(domains[pid]), 60)}\t{safe(check.message, 120)}")
    print(f"checked {progress.done:,} of {len(records):,} prospects in {progress.seconds():.1f} s "
          f"({progress.could_not_check:,} could not be checked); saved {progress.saved:,} in "
          f"{progress.writes} write{'' if progress.writes == 1 else 's'}", file=sys.stderr)
    return COULD_NOT_CHECK if progress.could_not_check else OK
