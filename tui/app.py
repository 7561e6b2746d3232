"""ProspectsApp: builds the screens and holds the global keys and the command palette."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from store.bulk import collector_paused
from store.catalog import Catalog, load_catalog
from store.db import Store
from tui.screens.prospect_list import ProspectListScreen
from tui.widgets.plain import plain_line

GC_THRESHOLD = 50_000


class ProspectsApp(App[int]):
    """The MSP Prospects terminal app, on one data file."""

    CSS_PATH = "app.tcss"
    TITLE = "MSP Prospects"
    BINDINGS: list[BindingType] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "show_help_panel", "Keys", id="keys", show=False),
    ]

    def __init__(
        self,
        db_path: Path | str | None = None,
        *,
        store: Store | None = None,
        catalog: Catalog | Path | str | None = None,
        nameserver: str | None = None,
        poll_seconds: float = 1.0,
    ) -> None:
        super().__init__()
        # A Textual screen allocates tens of thousands of short-lived objects;
        # the default threshold (700) ran the collector mid-paint, 50 ms a time.
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        if store is None:
            chosen = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
            with collector_paused(freeze=True):
                store = Store(db_path, catalog=chosen)
        self.store = store
        self.nameserver = nameserver
        self.poll_seconds = poll_seconds
        self.sub_title = plain_line(store.path)

    def on_mount(self) -> None:
        self.push_screen(ProspectListScreen(self.store, poll_seconds=self.poll_seconds))

    def action_open_users(self) -> None:
        """Open the Users screen from anywhere (the form offers it when no lead exists yet)."""
        from tui.screens.users import UsersScreen  # noqa: PLC0415 - avoids an import cycle

        self.push_screen(UsersScreen(self.store))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a palette entry."""
        seen: set[str] = set()
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            target = active.node

            def run(action: str = binding.action, node: object = target) -> None:
                self.call_later(self.run_action, action, node)

            help_text = binding.tooltip or f"{binding.description} ({binding.key_display or binding.key})"
            yield SystemCommand(binding.description, help_text, run)
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()
        yield from super().get_system_commands(screen)

    def on_unmount(self) -> None:
        self.store.close()
