"""The Domain input with its Verify button and status line.

Verify runs as an async worker (the event loop never waits on DNS), bounded by a
lifetime. An answer that arrives after the domain was edited is dropped: it is
about a domain that is no longer in the field.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from store.domain.dns import Nameserver
from store.domain.summary import summary_line
from store.errors import StorageError
from store.listing import display_domain
from store.models import DomainCheck
from store.rules.store import Store
from tui.widgets.banner import report_storage_problem
from tui.widgets.plain import PlainInput, plain
from tui.widgets.refusal import point_at

CHECKING = "Checking…"
# Status line style per verdict: how worried a person should be.
_STYLE = {
    "mail": "-ok",
    "no_mx": "-ok",
    "null_mx": "-warning",
    "nxdomain": "-warning",
    "unknown": "-muted",
    "duplicate": "-error",
}
_STYLES = ("-ok", "-warning", "-muted", "-error", "-checking")


def with_summary(head: str, check: DomainCheck) -> str:
    """The status line: the answer, then who runs the mail and DMARC, and the details key."""
    summary = summary_line(check)
    return f"{head}\n{summary} · F6 details" if summary else head


class DomainField(Vertical):
    """`#domain` (Input), `#verify` (Button) and `#verify-status`."""

    DEFAULT_CSS = """
    DomainField {
        height: auto; layout: grid; grid-size: 2; grid-columns: 1fr 11; grid-rows: auto;
    }
    DomainField #verify { margin-left: 1; min-width: 10; }
    DomainField #verify-status { height: auto; padding: 0 1; column-span: 2; }
    DomainField #verify-status.-ok { color: $text-success; }
    DomainField #verify-status.-warning { color: $text-warning; }
    DomainField #verify-status.-error { color: $text-error; text-style: bold; }
    DomainField #verify-status.-muted, DomainField #verify-status.-checking {
        color: $text-muted;
    }
    """

    @dataclass
    class Verified(Message):
        """Verify answered for `text`: `check`, and how the status line shows it.

        `domain` is the normalised (ASCII) domain, None when the text is not a domain.
        Posted from the Verify thread; applied (or dropped as stale) in one place.
        """

        check: DomainCheck
        domain: str | None
        text: str = ""
        shown: str = ""
        style: str = ""

    def __init__(
        self,
        store: Store,
        value: str = "",
        *,
        check: DomainCheck | None = None,
        prospect_id: int | None = None,
        nameserver: str | Nameserver | None = None,
        lifetime: float = 3.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.prospect_id = prospect_id
        self.nameserver = nameserver
        self.lifetime = lifetime
        self._initial = value
        # The last answer and the ASCII domain it is about; kept only while it applies.
        self.check: DomainCheck | None = check
        self.checked_domain: str | None = value if check is not None else None
        self._checked_text: str | None = value if check is not None else None
        self._status = ""

    def compose(self) -> ComposeResult:
        yield PlainInput(self._initial, placeholder="example.com", id="domain")
        yield Button("Verify", id="verify")
        yield Static(id="verify-status")

    def on_mount(self) -> None:
        # After the first paint: the imports' thread, sharing the GIL, would slow the
        # form's first layout as much as the imports themselves take.
        self.call_after_refresh(self._warm_up)
        if self.check is not None:
            when = self.check.checked_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self._show(with_summary(f"{self.check.message} (checked {when})", self.check),
                       _STYLE[self.check.verdict])

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import dnspython and load the Public Suffix List off the event loop.

        Together they take ~150 ms the first time; done here, the first Verify or
        Save does not freeze the screen for that long.
        """
        import dns.asyncresolver  # noqa: F401, PLC0415

        from store.domain.names import normalise_domain  # noqa: PLC0415

        normalise_domain("example.com")

    @property
    def text(self) -> str:
        """What is typed in the Domain input."""
        return self.query_one("#domain", Input).value

    def check_for(self, ascii_domain: str) -> DomainCheck | None:
        """The last Verify answer if it is about this (normalised) domain."""
        if self.check is not None and self.checked_domain == ascii_domain:
            return self.check
        return None

    def doubt(self, ascii_domain: str, saved: str | None) -> str | None:
        """Why the domain may not exist, worth one question before saving; None if no doubt.

        `saved` is the domain as last saved (None for a new prospect). "Could not check"
        never asks (DNS may just be unreachable), and a duplicate never gets here: the
        store refuses it. An edit that keeps its domain is not asked about a check that
        never ran: the domain was accepted when it was saved.
        """
        domain = display_domain(ascii_domain)
        check = self.check_for(ascii_domain)
        if check is not None and check.verdict == "nxdomain":
            return f"Verify found that {domain} does not exist in DNS."
        if check is None and ascii_domain != saved:
            return f"{domain} was not verified (F5), so it may not exist."
        return None

    def _show(self, text: str, style: str) -> None:
        self._status = text
        status = self.query_one("#verify-status", Static)
        status.update(plain(text, 300))
        status.remove_class(*_STYLES)
        if style:
            status.add_class(style)

    @on(Input.Changed, "#domain")
    def _domain_edited(self, event: Input.Changed) -> None:
        if event.value == self._checked_text:
            return
        # The answer on screen (or on its way) is about another domain now.
        self.workers.cancel_group(self, "verify")
        if self.check is not None or self._status:
            self.check = None
            self.checked_domain = self._checked_text = None
            self._show("", "")
            self.screen.refresh_bindings()

    @on(Input.Submitted, "#domain")
    @on(Button.Pressed, "#verify")
    def _verify_pressed(self, event: Message) -> None:
        event.stop()
        self.verify()

    def verify(self) -> None:
        """Start Verify for the domain in the field; the answer replaces the status."""
        text = self.text
        if not text.strip():
            self._show("Type a domain first, e.g. example.com", "-error")
            point_at(self.query_one("#domain"), self.query_one("#verify-status"))
            return
        self._checked_text = text
        self.check = None
        self.checked_domain = None
        self._show(CHECKING, "-checking")
        self._verify(text, self._nameserver())

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def _verify(self, text: str, nameserver: str | Nameserver | None) -> None:
        """Look for a duplicate here (a scan of every prospect), then ask DNS, in a thread.

        The DNS part is bounded by the lifetime, so the thread always ends soon.
        """
        from store.rules.verify import verify_async  # noqa: PLC0415 - dnspython on first use

        domain: str | None = None  # the normalised domain the answer is about
        try:
            result = asyncio.run(verify_async(
                self.store, text, nameserver=nameserver, lifetime=self.lifetime,
                exclude=self.prospect_id,
            ))
        except (ValueError, StorageError) as error:  # a bad nameserver; an unreadable file
            self.app.call_from_thread(report_storage_problem, self, error)
            check = DomainCheck(verdict="unknown", message=f"could not check: {error}")
            shown, style = check.message, _STYLE["unknown"]
        else:
            check = result.check
            if result.domain is None:  # not a usable domain name: the message says why
                shown, style = check.message, "-error"
            else:
                domain = result.domain.ascii
                shown = with_summary(f"{result.domain_display}: {check.message}", check)
                style = _STYLE[check.verdict]
        self.post_message(self.Verified(check, domain, text, shown, style))

    @on(Verified)
    def _verified(self, event: Verified) -> None:
        if event.text != self.text or self._checked_text != event.text:
            event.stop()  # edited (or verified again) while we waited: this answer is stale
            return
        if event.domain is not None:
            self.check, self.checked_domain = event.check, event.domain
        self._show(event.shown, event.style)
        self.screen.refresh_bindings()  # the details key appears with an answer

    def _nameserver(self) -> str | Nameserver | None:
        """The constructor's nameserver, else the app's; None lets verify read the env."""
        if self.nameserver is not None:
            return self.nameserver
        return getattr(self.app, "nameserver", None)
