"""Text as people type it, made safe to show and easy to search."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls (ESC included), DEL, and the bidi embedding/override/isolate
# marks that can reorder what a terminal shows. Zero-width joiners stay: emoji
# sequences need them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]"
)
# Line and paragraph breaks become one space, so a name stays on its line.
_BREAKS = re.compile("[\t\n\v\f\r\x85\u2028\u2029]+")
ELLIPSIS = "…"
# The same characters, refused in a single-line field at every edge (form, CLI, import,
# users, catalog): tab and line breaks included, since one field is one line.
_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u2028\u2029]"
)


_CONTROL_NAMES = {"\x1b": "escape", "\t": "a tab", "\n": "a line break", "\r": "a line break",
                  "\x00": "a NUL byte", "\x7f": "delete"}


def unsafe_character(text: str) -> str | None:
    """Why a single-line value cannot be kept, or None: names the first control or bidi character.

    The one rule for every edge, so the message reads the same in the form, the CLI, an
    import report, the users screen and a catalog error.
    """
    if text.isascii() and text.isprintable():
        return None
    found = _REFUSED.search(text)
    if found is None:
        return None
    ch = found.group()
    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "a control character").lower()
    return (f"contains U+{ord(ch):04X} ({name}) "
            f"at character {found.start() + 1}: control and text-direction characters are not "
            f"allowed; retype the value")


def clean_for_display(text: str, max_len: int | None = None) -> str:
    """Return text with control and bidi-override characters removed, line breaks as spaces.

    When max_len is given, a longer result is cut and ends with an ellipsis.
    """
    if not text.isascii() or not text.isprintable():
        text = _BREAKS.sub(" ", _UNSAFE.sub("", text))
    if max_len is not None and len(text) > max_len:
        text = text[: max(max_len - 1, 0)] + ELLIPSIS
    return text


def fold(text: str) -> str:
    """Return a case- and accent-insensitive key for searching ('Café' -> 'cafe')."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def first_letter(name: str) -> str:
    """Return the A-Z bucket of a company name ('a'..'z'), or 'other' for digits and symbols."""
    folded = fold(clean_for_display(name).strip())
    if folded and "a" <= folded[0] <= "z":
        return folded[0]
    return "other"
