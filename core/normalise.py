"""Identifier normalisation: emails lower-cased and syntax-checked, external ids trimmed,
spreadsheet-mangled numbers refused, placeholder values (``NULL``, ``#N/A``...) recognised
as missing. Phones are :mod:`identigraph.phones` (it imports phonenumbers, which a query
for an email or an id never needs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]"
#: a plain ``local@domain.tld`` address, lower-cased: :func:`normalise_email` and the
#: loaders' whole-column check (``loaders._identcols``) match it whole
EMAIL_RE = re.compile(
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*@(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+[a-z]{{2,63}}"
)

#: A number a spreadsheet wrote in scientific notation (``7.21045E+12``), the whole value: in
#: the syntax Python's ``re`` and Arrow's RE2 read alike (ASCII digits), so the loaders'
#: column checks and these per-value ones agree
SPREADSHEET_NUMBER = r"^[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"
#: what a value in that notation is said to be (the loaders' warnings too: loaders._columns)
SPREADSHEET_DAMAGE = "mangled by a spreadsheet (scientific notation)"
SPREADSHEET_REASON = f"looks like a number {SPREADSHEET_DAMAGE}"
_SPREADSHEET_NUMBER = re.compile(SPREADSHEET_NUMBER)

#: values exports write for "no value"; compared trimmed and case-insensitively
PLACEHOLDERS: tuple[str, ...] = ("NULL", "nan", "#N/A", "N/A", "none", "undefined", "0", "-")
PLACEHOLDER_REASON = "placeholder value, treated as missing"


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a raw value is not a usable identifier."""

    reason: str


def clean_raw(value: str | None) -> str | None:
    """Trim a raw cell and drop one leading apostrophe (Excel's text marker); None if empty."""
    if value is None:
        return None
    v = value.strip()
    if v.startswith("'"):
        v = v[1:].strip()
    return v or None


def is_spreadsheet_number(value: str) -> bool:
    """True for ``7.21045E+12``-like text (trimmed, leading apostrophes dropped): a long id
    or number a spreadsheet turned into a float."""
    return _SPREADSHEET_NUMBER.match(value.strip().lstrip("'")) is not None


def placeholder_set(values: tuple[str, ...]) -> frozenset[str]:
    """The case-folded forms a cleaned value is compared with (:func:`is_placeholder`)."""
    return frozenset(v.strip().lower() for v in values)


def is_placeholder(cleaned: str, placeholders: frozenset[str]) -> bool:
    """True for a cleaned value that only says "no value" (``NULL``, ``N/A``, ``-``...)."""
    return cleaned.lower() in placeholders


def normalise_email(raw: str) -> str | Invalid:
    """Trim and lower-case an email; reject what is not a plain ``local@domain.tld``."""
    v = raw.strip().lower()
    if v.startswith("mailto:"):
        v = v[7:]
    if len(v) > 254 or not EMAIL_RE.fullmatch(v) or len(v.partition("@")[0]) > 64:
        return Invalid("not a valid email address")
    return v


def normalise_external_id(raw: str) -> str | Invalid:
    """Trim an external id; refuse Excel-mangled numbers like ``7.21045E+12``."""
    v = raw.strip()
    if _SPREADSHEET_NUMBER.match(v):
        return Invalid(SPREADSHEET_REASON)
    if len(v) > 512:
        return Invalid("external id longer than 512 characters")
    return v
