"""Values from input files shown to people: control characters escaped for terminals,
formula-looking cells neutralised for spreadsheets."""

from __future__ import annotations

import os
import re
from typing import IO

#: C0 and C1 controls (but newline and tab), DEL, and the bidirectional overrides that
#: reorder what a terminal shows
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: a cell a spreadsheet would run as a formula (OWASP's list)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: Stands for ESC in identigraph's own colour sequences: a lone surrogate, which no text
#: read from a file or a store can hold, so a terminal gets colours from identigraph only
#: and an escape sequence inside an identifier is shown escaped, on a terminal too
OWN_ESC = "\udb40"
#: identigraph's own colour and bold (SGR) sequences
_OWN_SGR = re.compile(OWN_ESC + r"(\[[0-9;]*m)")


def own_style(text: str, start: str, end: str) -> str:
    """``text`` between the style sequences ``start`` and ``end`` (``\\x1b[1m`` ...
    ``\\x1b[0m``), marked as identigraph's own so that :func:`printable` keeps them."""
    return start.replace("\x1b", OWN_ESC) + text + end.replace("\x1b", OWN_ESC)


def printable(text: str, *, colours: bool = False) -> str:
    """``text`` with terminal control characters written as ``\\x1b``-style escapes;
    identigraph's own colour sequences (:func:`own_style`) are kept when ``colours`` (a
    terminal that shows them), dropped otherwise."""
    escaped = _CONTROL.sub(_escape, text)
    if OWN_ESC not in escaped:
        return escaped
    return _OWN_SGR.sub(lambda m: "\x1b" + m.group(1) if colours else "", escaped)


def spreadsheet_cell(value: str) -> str:
    """A value a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class EscapingWriter:
    """A text stream that escapes control characters in everything written to it (the
    command line's standard output: identifiers and values come from input files)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        #: identigraph's own colours pass on a terminal (the command line colours verdicts
        #: there); every other control character is escaped, on a terminal too
        self.colours = stream.isatty() and not os.environ.get("NO_COLOR")

    def write(self, text: str) -> int:
        self.stream.write(printable(text, colours=self.colours))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)
