"""What the last Verify found about a domain's mail, in full: provider, gateway, SPF,
DMARC, MTA-STS, TLS-RPT and the signals. Records are shown verbatim, as plain text."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Button, Static

from store.models import DomainCheck
from tui.modals.reading_panel import ReadingPanel
from tui.widgets.plain import plain, plain_line

RECORD_LIMIT = 2000  # characters of a record shown; a 10,000-character SPF is cut


def _yes_no(value: bool | None) -> str:
    return "could not check" if value is None else ("yes" if value else "no")


def detail_rows(check: DomainCheck) -> list[tuple[str, str]]:
    """(label, value) rows for a check, in the order a salesperson reads them."""
    spf, dmarc = check.spf, check.dmarc
    when = check.checked_at.astimezone().strftime("%Y-%m-%d %H:%M")
    rows = [
        ("Result", check.message),
        ("Checked", when),
        ("Mail provider", check.mail_provider or "not known"),
        ("Gateway", check.gateway or "none found"),
        ("SPF", spf.record or "none"),
    ]
    if spf.record:
        rows.append(("SPF result", "; ".join(filter(None, [
            f"all: {spf.all}" if spf.all else "no all",
            f"{spf.lookups} DNS lookup{'' if spf.lookups == 1 else 's'}",
            f"vendors: {', '.join(spf.vendors)}" if spf.vendors else "",
            spf.error or "",
        ]))))
    rows.append(("DMARC", dmarc.record or "none"))
    if dmarc.record:
        rows.append(("DMARC result", "; ".join(filter(None, [
            f"p={dmarc.policy}" if dmarc.policy else "no valid policy",
            f"pct={dmarc.pct}" if dmarc.pct is not None else "",
            f"sp={dmarc.sp}" if dmarc.sp else "",
            "reports requested" if dmarc.rua else "no reports requested",
        ]))))
    rows += [("MTA-STS", _yes_no(check.mta_sts)), ("TLS-RPT", _yes_no(check.tls_rpt))]
    return rows


class VerifyDetailsModal(ReadingPanel):
    """The details of one Verify answer; Escape, Enter or Close closes it."""

    DEFAULT_CSS = """
    VerifyDetailsModal Grid {
        grid-size: 2; grid-columns: 14 1fr; grid-gutter: 0 1; height: auto;
    }
    VerifyDetailsModal .label { text-style: bold; }
    VerifyDetailsModal #verify-details-signals { margin-top: 1; color: $text-warning; }
    """

    def __init__(self, domain: str, check: DomainCheck) -> None:
        super().__init__()
        self.domain, self.check = domain, check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Verify: {self.domain}", 200), id="verify-details-title",
                         classes="panel-title")
            with VerticalScroll():
                with Grid(id="verify-details-rows"):
                    for label, value in detail_rows(self.check):
                        yield Static(plain(label), classes="label")
                        yield Static(plain(plain_line(value, RECORD_LIMIT)))
                signals = self.check.signals
                yield Static(plain("\n".join(f"• {plain_line(s, 200)}" for s in signals)
                                   or "No signals."), id="verify-details-signals")
            yield Button("Close", id="verify-details-ok")
