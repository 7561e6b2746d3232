"""Text as people type it, made safe to show and easy to search."""

from __future__ import annotations

import re
import unicodedata

# Line and paragraph breaks become one space when shown, so a name stays on its line.
_BREAKS = re.compile("[\t\n\v\f\r\x85\u2028\u2029]+")
ELLIPSIS = "…"
# C0/C1 controls (ESC included), DEL, and the bidi embedding/override/isolate marks that
# can reorder what a terminal shows, each with what stands in for it on screen: the
# Control Pictures block for C0 and DEL (U+241B for ESC), the replacement character for
# C1 controls and text-direction marks. One character for one, so a cursor index into a
# value is an index into what is shown. Zero-width joiners are not here: emoji need them.
_SYMBOLS = {code: 0x2400 + code for code in range(0x20)} | {0x7F: 0x2421}
_SYMBOLS |= {code: 0xFFFD for code in (*range(0x80, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F),
                                       *range(0x2066, 0x206A), 0x061C, 0xFEFF, 0x2028, 0x2029)}
# The same characters are refused in a single-line field at every edge (form, CLI, import,
# users, catalog): tab and line breaks included, since one field is one line.
_REFUSED = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_SYMBOLS)) + "]")

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


def show_controls(text: str) -> str:
    """Return text with each control or bidi character replaced by one visible symbol.

    ESC shows as U+241B, a line break as U+240A, DEL as U+2421, C1 controls and
    text-direction marks as U+FFFD; the length never changes. For an editable field,
    where the value must stay exact and the person must see what is there.
    """
    if text.isascii() and text.isprintable():
        return text
    return text.translate(_SYMBOLS)


def clean_for_display(text: str, max_len: int | None = None) -> str:
    """Return text safe to show on one line: line breaks as one space, other controls as symbols.

    Nothing in the result reaches a terminal as a control; a stored ESC shows as U+241B
    (see show_controls). When max_len is given, a longer result is cut and ends with an
    ellipsis.
    """
    if not text.isascii() or not text.isprintable():
        text = show_controls(_BREAKS.sub(" ", text))
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


def search_key(text: str) -> str:
    """Return the key a name is searched, sorted and filed under a letter by.

    Folded as `fold` does, with control and bidi characters dropped and line breaks as
    spaces, so a stored '\u202eevil' sorts and searches as 'evil'.
    """
    if not text.isascii() or not text.isprintable():
        text = _REFUSED.sub("", _BREAKS.sub(" ", text))
    return fold(text)


def quoted(value: object, limit: int = 60) -> str:
    """A value quoted for an error message, safe for a terminal and never too long."""
    return repr(clean_for_display(str(value), limit))


def name_key(name: str) -> str:
    """A company name as compared for "same name?": blind to case, accents and spacing."""
    folded = name.casefold()
    if folded.isascii() and folded.isprintable():  # most names: 5x faster, same answer
        return " ".join(folded.split())
    return " ".join(search_key(name).split())
