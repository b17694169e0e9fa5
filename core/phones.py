"""Phones to E.164, held to phonenumbers: a stored phone is always what the library gives
(``parse`` + ``is_valid_number``, E.164) for the same text and region, or nothing.

A fast path settles the two shapes it can prove from the library's public metadata: ``+``
and digits (no national prefix after the country code), and 10 or 11 digits under a NANP
region; everything else goes through ``phonenumbers`` itself. Letters are refused unless
the rule set reads vanity numbers: the library turns them into keypad digits
(``415-555-XXXX`` -> ``+14155559999``). Its own module so that only a phone imports the
library (a query for an email starts faster).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

from identigraph.normalise import SPREADSHEET_NUMBER, SPREADSHEET_REASON, Invalid

#: formatting the fast path drops: all of it is punctuation to phonenumbers too (a tab is
#: not: the library refuses a number with one)
PHONE_PUNCTUATION = " -()./\u00a0"
_PHONE_STRIP = str.maketrans("", "", PHONE_PUNCTUATION)
#: phonenumbers refuses longer input outright (its ``_MAX_INPUT_STRING_LENGTH``)
MAX_PHONE_TEXT = 250
#: an extension at the end (``x12``, ``ext. 5``, ``#12``, ``;ext=12``, ``, 12``): letters
#: there are a marker, not keypad digits
_EXTENSION = re.compile(
    r"(?:;\s*ext=|[,;#]|\b(?:ext(?:ension|n)?\.?|x)|(?<=\d)x)\s*\d{1,7}#?\s*$", re.IGNORECASE)
_TEL = re.compile(r"^tel:", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
LETTERS_REASON = ("phone has letters (a masked or vanity number); a rule set with "
                  "vanity_phones: true reads letters as keypad digits")
_SPREADSHEET_NUMBER = re.compile(SPREADSHEET_NUMBER)


def phone_has_letters(raw: str) -> bool:
    """True when letters are part of the number itself (not a ``tel:`` scheme or an
    extension marker): phonenumbers would read them as keypad digits."""
    core = _EXTENSION.sub("", _TEL.sub("", raw.strip()))
    return _LETTER.search(core) is not None


def _desc_parts(desc: object) -> tuple[str, frozenset[int]] | None:
    """A desc's national-number pattern and possible lengths (empty: any length)."""
    pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
    if not pattern:
        return None
    return pattern, frozenset(getattr(desc, "possible_length", ()) or ())


_TYPE_FIELDS = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line", "mobile",
)


@dataclass(frozen=True, slots=True)
class _Region:
    """One region's validity rule as one regex per national-number length, each compiled
    when a number of that length is first asked about (compiling every region's rules of a
    calling code took 0.4 CPU s of a load; most loads ask about one or two)."""

    leading: re.Pattern[str] | None
    #: per length, the general pattern and the alternatives, both to be matched whole
    parts: dict[int, tuple[str, str]]
    compiled: dict[int, re.Pattern[str]] = field(default_factory=dict)

    def valid(self, nsn: str) -> bool:
        rx = self.compiled.get(len(nsn))
        if rx is None:
            part = self.parts.get(len(nsn))
            if part is None:
                return False
            general, body = part
            rx = self.compiled[len(nsn)] = re.compile(f"(?=(?:{general})$)(?:{body})$")
        return rx.match(nsn) is not None


def _compile_region(md: PhoneMetadata) -> _Region | None:
    """``is_valid_number`` for one region, from its metadata: the general desc (pattern and
    lengths) and any number type's desc must match the national number whole."""
    general = _desc_parts(md.general_desc)
    if general is None:
        return None
    types = [t for t in (_desc_parts(getattr(md, f, None)) for f in _TYPE_FIELDS) if t]
    parts: dict[int, tuple[str, str]] = {}
    for length in range(1, 18):
        if general[1] and length not in general[1]:
            continue
        alts = [pat for pat, lens in types if not lens or length in lens]
        if alts:
            parts[length] = (general[0], "|".join(f"(?:{a})" for a in alts))
    leading = re.compile(md.leading_digits) if md.leading_digits else None
    return _Region(leading, parts)


@cache
def _regions_for(cc: int) -> tuple[_Region, ...] | None:
    """Compiled validity rules of every region sharing a calling code, in library order;
    None (leave it to the library) for non-geographic codes, regions without rules, and
    a main region whose national prefix is a pattern rather than digits."""
    codes = COUNTRY_CODE_TO_REGION_CODE.get(cc)
    if not codes or codes[0] == "001":
        return None
    out: list[_Region] = []
    for code in codes:
        md: Any = PhoneMetadata.metadata_for_region(code, None)
        if md is None:
            continue
        region = _compile_region(md)
        if region is None:
            return None
        out.append(region)
    prefix = _main_prefix(cc)
    if prefix is not None and not prefix.isdigit():
        return None
    return tuple(out)


@cache
def _main_prefix(cc: int) -> str | None:
    md: Any = PhoneMetadata.metadata_for_region(COUNTRY_CODE_TO_REGION_CODE[cc][0], None)
    return md.national_prefix_for_parsing if md is not None else None


def _fast_valid(cc: int, nsn: str) -> bool:
    """``is_valid_number`` as the library decides it among a calling code's regions: the
    first whose leading digits match decides; a region without leading digits counts
    when valid."""
    regions = _regions_for(cc)
    if regions is None:
        return False
    for region in regions:
        if region.leading is not None:
            if region.leading.match(nsn):
                return region.valid(nsn)
        elif region.valid(nsn):
            return True
    return False


def _split_cc(digits: str) -> tuple[int, str] | None:
    """The calling code as the library reads it: the first 1-3 digits that are one (a
    number starting with 0 has none)."""
    if digits[:1] == "0":
        return None
    for size in (1, 2, 3):
        cc = int(digits[:size])
        if cc in COUNTRY_CODE_TO_REGION_CODE:
            return cc, digits[size:]
    return None


_NANP = frozenset(COUNTRY_CODE_TO_REGION_CODE.get(1, ()))


def _fast_phone(v: str, region: str) -> str | None:
    """E.164 for the shapes it can prove valid; None means 'ask phonenumbers'.

    ``+`` then 5-17 digits (first not 0), and a national part that does not start with 0
    or the national prefix; or, under a NANP region, 10 digits (an 11th: a leading 1) not
    starting with 0 or 1. Only formatting both agree on may surround the digits.
    """
    if len(v) > MAX_PHONE_TEXT:
        return None
    s = v.translate(_PHONE_STRIP)
    if s.startswith("+"):
        digits = s[1:]
        if not digits.isascii() or not digits.isdigit() or not 5 <= len(digits) <= 17:
            return None
        split = _split_cc(digits)
        if split is None:
            return None
        cc, nsn = split
        prefix = _main_prefix(cc)
        if nsn.startswith("0") or (prefix and nsn.startswith(prefix)):
            return None
        return f"+{digits}" if _fast_valid(cc, nsn) else None
    if region in _NANP and s.isascii() and s.isdigit():
        if len(s) == 11 and s[0] == "1":
            s = s[1:]
        if len(s) == 10 and s[0] not in "01" and _fast_valid(1, s):
            return f"+1{s}"
    return None


def nanp_patterns() -> tuple[str, str] | None:
    """The general pattern and alternatives a 10-digit NANP number must match whole to be
    valid for the first region of calling code 1 (the US), which then settles it: see
    :func:`_fast_valid`. None when that region does not decide alone (leading digits)."""
    regions = _regions_for(1)
    if not regions or regions[0].leading is not None:
        return None
    return regions[0].parts.get(10)


def is_nanp_region(region: str) -> bool:
    """True for a region of calling code 1, whose national numbers the fast path reads."""
    return region in _NANP


def normalise_phone(raw: str, region: str | None = None, default_region: str = "US", *,
                    vanity: bool = False) -> str | Invalid:
    """Parse a phone with the event's country (else the default region) into E.164.

    A number the library reads only by taking its letters as keypad digits is refused
    unless ``vanity`` (the rule set's ``vanity_phones``).
    """
    reg = (region or default_region or "US").upper()
    v = raw.strip()
    if v.startswith("'"):
        v = v[1:].strip()
    if _SPREADSHEET_NUMBER.match(v):
        return Invalid(SPREADSHEET_REASON)
    fast = _fast_phone(v, reg)
    if fast is not None:
        return fast
    read = _slow_phone(v, reg)
    if not vanity and not isinstance(read, Invalid) and phone_has_letters(v):
        return Invalid(LETTERS_REASON)
    return read


@lru_cache(maxsize=65536)
def _slow_phone(v: str, region: str) -> str | Invalid:
    try:
        num = phonenumbers.parse(v, region)
    except phonenumbers.NumberParseException as exc:
        return Invalid(f"not a phone number ({_parse_reason(exc)})")
    if not phonenumbers.is_valid_number(num):
        return Invalid(f"not a valid phone number for region {region}")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _parse_reason(exc: phonenumbers.NumberParseException) -> str:
    return {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "no digits to read",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }.get(exc.error_type, "unreadable")


def is_supported_region(region: str) -> bool:
    """True for a region phonenumbers knows (``--default-region`` is checked with it)."""
    return region.upper() in phonenumbers.SUPPORTED_REGIONS
