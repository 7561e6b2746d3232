"""The command palette's entries drawn as plain text.

Textual's provider reads each entry's title as markup, so a saved view named
`Retail [shop] & co` would show as `Retail  & co`. This one draws the titles as
they are, highlighting the letters matched as Textual's does.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.command import DiscoveryHit, Hit, Hits
from textual.content import Content
from textual.style import Style
from textual.system_commands import SystemCommandsProvider

from tui.widgets.plain import plain


class PlainCommandsProvider(SystemCommandsProvider):
    """The app's system commands (App.get_system_commands), titles never read as markup."""

    async def discover(self) -> Hits:
        commands = sorted(self.app.get_system_commands(self.screen), key=lambda c: c[0])
        for name, help_text, callback, discover in commands:
            if discover:
                yield DiscoveryHit(plain(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            if (score := matcher.match(name)) > 0:
                _, offsets = matcher.fuzzy_search.match(matcher.query, name)
                yield Hit(score, _highlighted(name, offsets, matcher.match_style), callback,
                          text=name, help=help_text)


def _highlighted(name: str, offsets: Sequence[int], style: Style) -> Content:
    """The title as plain text, the letters the query matched styled (as Matcher.highlight)."""
    content = plain(name)  # one character for one: a control shows as one symbol
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content
