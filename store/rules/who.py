"""Who is making a change, as the history records it."""

from __future__ import annotations

import getpass
import os

from store.text import clean_for_display
from store.user_config import user_config

_LONGEST = 100


def who() -> str:
    """PROSPECTS_USER when set, else the name in config.toml (a shared account on a jump host
    sets one of these), else the login name.

    Cleaned of control characters and cut to one short line: the name is shown
    verbatim in the history and in conflict messages.
    """
    name = os.environ.get("PROSPECTS_USER", "").strip() or user_config().name.strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # no login name and no LOGNAME/USER (a bare container)
            name = ""
    return clean_for_display(name, _LONGEST).strip() or "unknown"
