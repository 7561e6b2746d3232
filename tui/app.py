"""ProspectsApp: builds the screens and holds the global keys and the command palette."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from store.bulk import collector_paused
from store.catalog import Catalog, load_catalog
from store.rules.store import Store
from store.user_config import user_config
from tui.screens.prospect_list import ProspectListScreen
from tui.widgets.plain import plain_line
from tui.widgets.plain_commands import PlainCommandsProvider

GC_THRESHOLD = 50_000
# Characters of the database's location in the title: what fits beside "MSP Prospects — " in 80
# columns.
LOCATION_SHOWN = 44


def shortened_location(location: str, limit: int, *, server: bool) -> str:
    """Where the data is (a file path, or a server's masked URL), to fit `limit` characters."""
    if not server:
        return _shortened_path(location, limit)
    if "://" in location:
        return _shortened_url(location, limit)
    # A bare `postgresql:` (libpq's PG* settings) is shown as words: keep their start.
    return location if len(location) <= limit else f"{location[:limit - 1]}…"


def _shortened_path(path: str, limit: int) -> str:
    """The path, or its tail from a whole folder on, after '…/', to fit `limit` characters.

    The file name is always kept whole: it is what tells two databases apart.
    """
    if len(path) <= limit:
        return path
    parts = path.split("/")
    kept = parts[-1]
    for part in reversed(parts[:-1]):
        if len(part) + len(kept) + 3 > limit:  # 3: the "…/" in front and this part's "/"
            break
        kept = f"{part}/{kept}"
    return f"…/{kept}"


def _shortened_url(url: str, limit: int) -> str:
    """The URL without its parameters (sslmode, certificate paths), then its tail.

    The host and the database name, at the end, are what tell two databases apart.
    """
    base, query, _ = url.partition("?")
    tail = "?…" if query else ""
    if len(base) + len(tail) <= limit:
        return base + tail
    return f"…{base[-(limit - 1 - len(tail)):]}{tail}"


class ProspectsApp(App[int]):
    """The MSP Prospects terminal app, on one data file or PostgreSQL database."""

    CSS_PATH = "app.tcss"
    TITLE = "MSP Prospects"
    COMMANDS = {PlainCommandsProvider}  # the palette: get_system_commands, titles as plain text
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit the application"),
        Binding("f1,question_mark", "keys", "Keys", id="keys",
                tooltip="Keys: help on every key of this screen"),
    ]
    # What every screen's #banner says while the database cannot be used ('' when it can).
    storage_problem: reactive[str] = reactive("")

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
        self.sub_title = plain_line(shortened_location(store.location, LOCATION_SHOWN,
                                                           server=store.path is None))

    def on_mount(self) -> None:
        self.push_screen(ProspectListScreen(self.store, poll_seconds=self.poll_seconds))
        problem = user_config().problem
        if problem:
            self.notify(plain_line(problem, 300), markup=False, title="Config file not used",
                        severity="warning", timeout=10)

    def action_open_users(self) -> None:
        """Open the Users screen from anywhere (the form offers it when no lead exists yet)."""
        from tui.screens.users import UsersScreen  # noqa: PLC0415 - avoids an import cycle

        self.push_screen(UsersScreen(self.store))

    def screen_keys(self, screen: Screen[object]) -> list[tuple[str, Binding, object]]:
        """The keys in force on `screen` with a description: (key shown, binding, node)."""
        seen: set[str] = set()
        keys: list[tuple[str, Binding, object]] = []
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = ", ".join(self.get_key_display(Binding(key, binding.action))
                              for key in binding.key.split(","))
            keys.append((shown, binding, active.node))
        return keys

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a palette entry, found by its words.

        The title is the binding's tooltip (a phrase with the words people search
        for: 'import', 'template', 'verify'); the help line names the key.
        """
        titles: set[str] = set()
        for shown, binding, target in self.screen_keys(screen):

            def run(action: str = binding.action, node: object = target) -> None:
                self.call_later(self.run_action, action, node)

            title = binding.tooltip or binding.description
            titles.add(binding.description.casefold())
            titles.add(title.casefold())
            yield SystemCommand(title, f"{binding.description} (key: {shown})", run)
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()
        for command in super().get_system_commands(screen):
            if command.title.casefold() not in titles:  # Quit, Keys: ours already
                yield command

    def action_keys(self) -> None:
        """Show every key of the current screen, with what it does."""
        from tui.modals.key_help import KeyHelpModal  # noqa: PLC0415 - only when asked

        screen = self.screen
        if isinstance(screen, KeyHelpModal):
            return
        # The screen's own keys first, then the focused widget's, then the app's.
        rank: dict[object, int] = {screen: 0, self: 2}
        keys = sorted(self.screen_keys(screen), key=lambda key: rank.get(key[2], 1))
        rows = [(shown, binding.tooltip or binding.description) for shown, binding, _ in keys]
        if all(binding.action != "command_palette" for _, binding, _ in keys):
            rows.append((self.get_key_display(Binding("ctrl+p", "command_palette")),
                         "Command palette: find any action by a word"))
        notes = list(getattr(screen, "KEY_NOTES", ()))
        self.push_screen(KeyHelpModal("Keys on this screen (Escape closes)", rows, notes))

    def on_unmount(self) -> None:
        self.store.close()
