"""Verify in the form, against the loopback DNS responder: async, bounded, never stale."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Static

from store.rules.store import Store
from tests.dns_responder import SERVFAIL, SILENT, DnsResponder
from tests.form_helpers import (
    ADA,
    FormSession,
    fill_required,
    prospect,
    record_threads,
    running_form,
    screen_text,
    seed,
)
from tui.app import ProspectsApp
from tui.modals.confirm import ConfirmModal
from tui.modals.verify_details import VerifyDetailsModal
from tui.screens.prospect_form import FormResult
from tui.widgets.domain_field import CHECKING

SIZE = (80, 24)



@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "data" / "prospects.json"
    p.parent.mkdir(mode=0o700)
    seed(p, ADA, prospects=(prospect(domain="contoso.com"),))
    return p


async def verify_in_form(path: Path, server: DnsResponder, domain: str,
                         *, lifetime: float = 3.0) -> tuple[str, set[str]]:
    """Paste a domain, press Verify, wait for the answer: (status text, status classes)."""
    async with running_form(path, nameserver=server.nameserver, verify_lifetime=lifetime) as (app, pilot, s):
        form = s.form
        await s.paste("#domain", domain)
        await s.focus("#verify")
        await pilot.press("enter")
        await s.settle()
        status = form.query_one("#verify-status")
        return s.text_of("#verify-status"), set(status.classes)


@pytest.mark.parametrize(
    ("domain", "expected", "style"),
    [
        ("example.com",
         "example.com: receives mail (Microsoft 365: example-com.mail.protection.outlook.com)",
         "-ok"),
        ("https://www.Example.org/contact",
         "example.org: receives mail (Google Workspace: aspmx.l.google.com and 1 more)", "-ok"),
        ("mimecast.example.com", "receives mail (Mimecast: eu-smtp-inbound-1.mimecast.com", "-ok"),
        ("proofpoint.example.com", "receives mail (Proofpoint: mx0a-001.pphosted.com)", "-ok"),
        ("self-hosted.example.com", "receives mail (mail.self-hosted.example.com)", "-ok"),
        ("example.net", "example.net: accepts no mail (null MX)", "-warning"),
        ("a-only.example.com", "no MX records, but it has an address", "-ok"),
        ("nxdomain.example.com", "nxdomain.example.com: does not exist in DNS", "-warning"),
        ("servfail.example.com", "could not check: the nameserver answered SERVFAIL", "-muted"),
        ("bob@MÜNCHEN.de.", "münchen.de: receives mail (mx.xn--mnchen-3ya.de)", "-ok"),
        ("contoso.com", "contoso.com: already here: prospect 'Contoso Limited'", "-error"),
        ("exa mple.com", "'exa mple.com' is not a valid domain name: spaces are not allowed",
         "-error"),
    ],
)
async def test_verify_answers(path: Path, dns_server: DnsResponder, domain: str,
                              expected: str, style: str) -> None:
    text, classes = await verify_in_form(path, dns_server, domain)
    assert expected in text
    assert style in classes


async def test_a_silent_server_gives_could_not_check_within_the_lifetime(
    path: Path, dns_server: DnsResponder,
) -> None:
    text, classes = await verify_in_form(path, dns_server, "silent.example.com", lifetime=0.5)
    assert "could not check: no answer within 0.5 s" in text
    assert "-muted" in classes


async def test_keys_are_handled_while_a_slow_verify_runs(
    path: Path, dns_server: DnsResponder,
) -> None:
    # A loop blocked on DNS would handle these keys only once the silent server's
    # lifetime ran out, and the status would then no longer say "checking".
    # The lifetime is long enough for five keys on a slow machine, and short because the
    # app waits for the verify thread (which nothing can interrupt) when the test ends.
    async with running_form(path, nameserver=dns_server.nameserver, verify_lifetime=6) as (app, pilot, s):
        await s.paste("#domain", "silent.example.com")
        await s.focus("#company-name")
        await pilot.press("f5")
        assert s.text_of("#verify-status") == CHECKING
        await pilot.press(*"Still")
        assert s.value("#company-name") == "Still"
        assert s.text_of("#verify-status") == CHECKING  # still waiting on the silent server


async def test_editing_the_domain_drops_a_stale_answer(path: Path,
                                                       dns_server: DnsResponder) -> None:
    async with running_form(path, nameserver=dns_server.nameserver, verify_lifetime=1.0) as (app, pilot, s):
        await s.paste("#domain", "silent.example.com")
        await pilot.press("enter")  # Enter in the Domain field verifies too
        assert s.text_of("#verify-status") == CHECKING
        await pilot.press("backspace")
        assert s.text_of("#verify-status") == ""
        await s.settle()
        assert s.text_of("#verify-status") == ""  # the late answer was not shown
        # A finished answer goes too, once the domain changes.
        await s.type("#domain", "example.com")
        await pilot.press("enter")
        await s.settle()
        assert "receives mail" in s.text_of("#verify-status")
        await pilot.press("m")
        assert s.text_of("#verify-status") == ""


async def test_the_last_answer_is_saved_with_the_prospect(path: Path,
                                                          dns_server: DnsResponder) -> None:
    app = ProspectsApp(db_path=path, nameserver=dns_server.env)  # the app's setting
    async with app.run_test(size=SIZE) as pilot:
        s = FormSession(app, pilot)
        await s.open()
        await fill_required(s, domain="https://www.example.com/")
        await pilot.press("f5")
        await s.settle()
        await s.save()
        await s.settle()
        assert s.results == [FormResult(2)]
    check = Store(path).get_prospect(2).domain_check
    assert check is not None
    assert check.verdict == "mail" and check.mail_host == "Microsoft 365"


async def test_an_answer_about_another_domain_is_not_saved(path: Path,
                                                           dns_server: DnsResponder) -> None:
    app = ProspectsApp(db_path=path, nameserver=dns_server.env)
    async with app.run_test(size=SIZE) as pilot:
        s = FormSession(app, pilot)
        await s.open()
        await fill_required(s, domain="example.com")
        await pilot.press("f5")
        await s.settle()
        await s.type("#domain", "example.org")
        await s.save()
        await s.settle()
    assert Store(path).get_prospect(2).domain_check is None


async def test_could_not_check_never_blocks_saving(path: Path, dns_server: DnsResponder,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    dns_server.set("northwind.com", SERVFAIL)
    monkeypatch.setenv("PROSPECTS_NAMESERVER", dns_server.env)  # the environment's setting
    async with running_form(path) as (app, pilot, s):
        await fill_required(s, domain="northwind.com")
        await pilot.press("f5")
        await s.settle()
        assert "could not check" in s.text_of("#verify-status")
        await pilot.press("ctrl+s")  # never asks: DNS may only be unreachable
        await s.settle()
        assert s.results == [FormResult(2)]
    saved = Store(path).get_prospect(2).domain_check
    assert saved is not None and saved.verdict == "unknown"


async def test_a_duplicate_blocks_saving(path: Path, dns_server: DnsResponder) -> None:
    async with running_form(path, nameserver=dns_server.nameserver) as (app, pilot, s):
        await fill_required(s, domain="CONTOSO.com")
        await pilot.press("f5")
        await s.settle()
        assert "already here" in s.text_of("#verify-status")
        await pilot.press("ctrl+s")  # no "Save anyway?": a duplicate is never saved
        await s.settle()
        assert "contoso.com is already prospect 'Contoso Limited'" in s.error("domain")
        assert s.results == []
    assert len(Store(path).prospect_rows()) == 1


async def test_editing_keeps_its_own_domain_and_the_stored_check(
    path: Path, dns_server: DnsResponder,
) -> None:
    dns_server.set("contoso.com", SILENT)
    async with running_form(path, 1, nameserver=dns_server.nameserver,
                            verify_lifetime=0.3) as (app, pilot, s):
        await pilot.press("f5")  # its own domain is not a duplicate of itself
        await s.settle()
        assert "could not check" in s.text_of("#verify-status")
        await s.save()
        await s.settle()
    saved = Store(path).get_prospect(1)
    assert saved.domain_check is not None and saved.domain_check.verdict == "unknown"
    async with running_form(path, 1) as (app, pilot, s):
        assert "could not check" in s.text_of("#verify-status")
        assert "(checked " in s.text_of("#verify-status")


async def test_verify_with_nothing_typed_says_so(path: Path) -> None:
    async with running_form(path) as (app, pilot, s):
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert s.text_of("#verify-status") == "Type a domain first, e.g. example.com"
        # Said where it can be seen (at 80x24 the line was below the fold), at the field.
        assert "Type a domain first" in screen_text(app)
        assert app.focused is not None and app.focused.id == "domain"


async def test_a_domain_that_does_not_exist_asks_before_saving(
    path: Path, dns_server: DnsResponder,
) -> None:
    async with running_form(path, nameserver=dns_server.nameserver) as (app, pilot, s):
        await fill_required(s, domain="nowhere.example")  # not in the zone: NXDOMAIN
        await pilot.press("f5")
        await s.settle()
        await pilot.press("ctrl+s")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "does not exist" in modal.question and "Save anyway?" in modal.question
        await pilot.press("n")  # go back: nothing saved, the domain is pointed at
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "domain"
        assert len(Store(path).prospect_rows()) == 1
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await s.settle()
        assert s.results == [FormResult(2)]
    saved = Store(path).get_prospect(2)
    assert saved.domain_check is not None and saved.domain_check.verdict == "nxdomain"


async def test_a_domain_never_verified_asks_once(path: Path) -> None:
    async with running_form(path) as (app, pilot, s):
        await fill_required(s, domain="northwind.com")
        await s.type("#company-name", "")  # a refused save first: no question then
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
        await s.type("#company-name", "Northwind Ltd")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "northwind.com was not verified" in app.screen.question
        await pilot.press("y")
        await s.settle()
        assert s.results == [FormResult(2)]
    async with running_form(path, 2) as (app, pilot, s):  # editing, same domain: no question
        await s.type("#website", "https://northwind.com")
        await pilot.press("ctrl+s")
        await s.settle()
        assert s.results == [FormResult(2)]
    assert Store(path).get_prospect(2).website == "https://northwind.com"


async def test_a_yes_is_not_asked_for_again_after_a_failed_save(
    path: Path, dns_server: DnsResponder,
) -> None:
    async with running_form(path, nameserver=dns_server.nameserver) as (app, pilot, s):
        await fill_required(s, domain="nowhere.example")
        await pilot.press("f5")
        await s.settle()
        # Someone else adds the same domain meanwhile: the save after "yes" is refused ...
        Store(path).create_prospect(prospect(domain="nowhere.example", company_name="Other"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await s.settle()
        assert "nowhere.example is already" in s.error("domain")
        # ... and pressing Save again asks nothing more: the answer was for this domain.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)


async def test_a_malformed_nameserver_setting_is_could_not_check(path: Path) -> None:
    app = ProspectsApp(db_path=path, nameserver="not-an-address")
    async with app.run_test(size=SIZE) as pilot:
        s = FormSession(app, pilot)
        await s.open()
        await s.type("#domain", "example.com")
        await pilot.press("f5")
        await s.settle()
        assert "could not check" in s.text_of("#verify-status")
        assert "not a nameserver" in s.text_of("#verify-status")


async def test_the_duplicate_scan_runs_off_the_event_loop(path: Path,
                                                         dns_server: DnsResponder) -> None:
    async with running_form(path, nameserver=dns_server.nameserver) as (app, pilot, s):
        threads = record_threads(app.store, "prospect_with_domain")
        await s.type("#domain", "contoso.com")
        await pilot.press("f5")
        await s.settle()
        assert "already here" in s.text_of("#verify-status")
    assert threads["prospect_with_domain"] is not threading.main_thread()


async def test_the_status_sums_up_the_mail_and_f6_shows_the_details(
    path: Path, dns_server: DnsResponder,
) -> None:
    dns_server.set("northwind.com", {
        "MX": ["10 eu-smtp-inbound-1.mimecast.com."],
        "TXT": ['"v=spf1 include:spf.protection.outlook.com [b]x[/b] \\027[31m -all"'],
    })
    dns_server.set("_dmarc.northwind.com", {"TXT": ['"v=DMARC1; p=none; rua=mailto:d@x"']})
    async with running_form(path, nameserver=dns_server.nameserver) as (app, pilot, s):
        form = s.form
        assert not form.check_action("verify_details", ())  # nothing to show yet
        await s.paste("#domain", "northwind.com")
        await pilot.press("f5")
        await s.settle()
        status = s.text_of("#verify-status")
        assert "northwind.com: receives mail (Mimecast: eu-smtp-inbound-1.mimecast.com)" in status
        assert "Mail: Mimecast; DMARC p=none; SPF invalid · F6 details" in status
        await pilot.press("f6")
        await s.settle()
        modal = app.screen
        assert isinstance(modal, VerifyDetailsModal)
        text = " ".join(str(w.render()) for w in modal.query(Static))
        assert "Verify: northwind.com" in text
        assert "v=spf1 include:spf.protection.outlook.com [b]x[/b] \u241b[31m -all" in text
        assert "syntax error at '[b]x[/b]'" in text
        assert "• already a Mimecast customer" in text and "• DMARC p=none: spoofable" in text
        assert "\x1b" not in text
        await pilot.press("escape")
        await s.settle()
        assert app.screen is form
        await s.type("#domain", "x")  # edited: the answer and its details key are gone
        assert not form.check_action("verify_details", ())
        await pilot.press("f6")
        assert app.screen is form
