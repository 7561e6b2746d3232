"""Verify all from the list: the key, the progress bar, cancel, and the list updating."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import ProgressBar, Static

from store.models import Prospect
from store.rules.store import Store
from tests.dns_responder import DnsResponder, mx, spf
from tests.dns_responder import dns_server as dns_server  # the fixture
from tests.form_helpers import wait_until
from tests.seed import seed_prospects
from tui.app import ProspectsApp
from tui.modals.verify_all import VerifyAllModal
from tui.screens.prospect_list import ProspectListScreen
from tui.widgets.prospect_table import ProspectTable


def seed(store: Store, server: DnsResponder, n: int) -> None:
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=f"Firm {i:03}", domain=f"f{i}.example",
                 sector="Retail", implementation_lead=1) for i in range(n)])
    for i in range(n):
        host = "x.mail.protection.outlook.com" if i % 2 else "in.mimecast.com"
        server.set(f"f{i}.example", {**mx(host), **spf("-all")})
        server.set(f"_dmarc.f{i}.example", {"TXT": ['"v=DMARC1; p=none"']})


def shown(app: ProspectsApp) -> str:
    table = app.screen.query_one(ProspectTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_verify_all_from_the_list_fills_mail_and_dmarc(
    store: Store, db_path: Path, dns_server: DnsResponder,
) -> None:
    seed(store, dns_server, 60)
    dns_server.hold = True  # the modal stays up until it is read
    app = ProspectsApp(db_path=db_path, nameserver=dns_server.env)
    async with app.run_test(size=(80, 24)) as pilot:
        list_screen = app.screen
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, VerifyAllModal))
        title = str(app.screen.query_one("#verify-all-title", Static).render())
        assert title == "Verify all: 60 of 60 prospects not checked today"
        dns_server.hold = False
        await wait_until(pilot, lambda: app.screen is list_screen)
        assert isinstance(list_screen, ProspectListScreen)
        await wait_until(pilot, lambda: list_screen.prospects.cell(0, "dmarc") == "p=none")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Mimecast" in shown(app)
        list_screen.sort_by("mail")
        await pilot.pause()
        order = app.screen.query_one(ProspectTable)._order
        first = [list_screen.prospects.cell(i, "mail") for i in order[:2]]
        assert first == ["Microsoft 365", "Microsoft 365"]
        assert "Mail ▲" in shown(app).splitlines()[0]
        list_screen.sort_by("dmarc")  # the sorted column is always shown
        await pilot.pause()
        assert "DMARC" in shown(app).splitlines()[0] and "p=none" in shown(app)
        await pilot.press("V")  # a second run: nothing is stale
        await pilot.pause()
        assert app.screen is list_screen
    checks = [r["domain_check"] for _, r in Store(db_path).prospect_rows()]
    assert [c["dmarc"]["policy"] for c in checks] == ["none"] * 60, [c["message"] for c in checks]


async def test_cancel_keeps_the_answers_so_far(store: Store, db_path: Path,
                                               dns_server: DnsResponder) -> None:
    seed(store, dns_server, 200)
    dns_server.hold = True
    app = ProspectsApp(db_path=db_path, nameserver=dns_server.env)
    async with app.run_test(size=(80, 24)) as pilot:
        list_screen = app.screen
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, VerifyAllModal))
        modal = app.screen
        assert isinstance(modal, VerifyAllModal)
        for _ in range(200):  # one answer at a time for each check, until some are done
            if modal.job.progress.done:
                break
            dns_server.release()
            await pilot.pause(0.05)
        await wait_until(pilot, lambda: modal.query_one(ProgressBar).progress > 0)
        assert modal.query_one(ProgressBar).progress > 0
        status = str(modal.query_one("#verify-all-status", Static).render())
        assert "of 200 checked" in status and "left" in status
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is list_screen)
        progress = modal.job.progress
        assert progress.cancelled and 0 < progress.done < 200
    stored = [r for _, r in Store(db_path).prospect_rows() if r.get("domain_check")]
    assert len(stored) == progress.saved == progress.done
