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


#: colour and bold (SGR) sequences: the only ones identigraph itself writes, on a terminal
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def printable(text: str, *, colours: bool = False) -> str:
    """``text`` with terminal control characters written as ``\\x1b``-style escapes
    (``colours``: colour and bold sequences kept, for a terminal that shows them)."""
    if not colours:
        return _CONTROL.sub(_escape, text)
    out, at = [], 0
    for m in _SGR.finditer(text):
        out.append(_CONTROL.sub(_escape, text[at:m.start()]))
        out.append(m.group(0))
        at = m.end()
    out.append(_CONTROL.sub(_escape, text[at:]))
    return "".join(out)


def spreadsheet_cell(value: str) -> str:
    """A value a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class EscapingWriter:
    """A text stream that escapes control characters in everything written to it (the
    command line's standard output: identifiers and values come from input files)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        #: colours pass on a terminal (the command line colours verdicts there); elsewhere
        #: every control character is escaped
        self.colours = stream.isatty() and not os.environ.get("NO_COLOR")

    def write(self, text: str) -> int:
        self.stream.write(printable(text, colours=self.colours))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)
