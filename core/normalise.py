"""Identifier normalisation: emails lower-cased and syntax-checked, phones to E.164.

Phones use a fast path for the common shapes (``+<cc><digits>`` and 10/11-digit NANP
numbers) that reproduces ``phonenumbers.parse`` + ``is_valid_number`` from the library's
own metadata; anything it cannot settle positively goes through ``phonenumbers`` itself,
so the output is always the library's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import phonenumbers
import phonenumbers.phonenumberutil as _pnu
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]"
_EMAIL_RE = re.compile(
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*@(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+[a-z]{{2,63}}"
)
_PHONE_STRIP = str.maketrans("", "", " -().\u00a0/\t")
_EXCEL_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")


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


def normalise_email(raw: str) -> str | Invalid:
    """Trim and lower-case an email; reject what is not a plain ``local@domain.tld``."""
    v = raw.strip().lower()
    if v.startswith("mailto:"):
        v = v[7:]
    if len(v) > 254 or not _EMAIL_RE.fullmatch(v) or len(v.partition("@")[0]) > 64:
        return Invalid("not a valid email address")
    return v


def normalise_external_id(raw: str) -> str | Invalid:
    """Trim an external id; refuse Excel-mangled numbers like ``7.21045E+12``."""
    v = raw.strip()
    if _EXCEL_NUMBER.fullmatch(v):
        return Invalid("looks like a number mangled by a spreadsheet (scientific notation)")
    if len(v) > 512:
        return Invalid("external id longer than 512 characters")
    return v


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
    """One region's validity rule as one regex per national-number length."""

    leading: re.Pattern[str] | None
    by_length: dict[int, re.Pattern[str]]
    #: per length, the general pattern and the alternatives, both to be matched whole
    parts: dict[int, tuple[str, str]]

    def valid(self, nsn: str) -> bool:
        rx = self.by_length.get(len(nsn))
        return rx is not None and rx.match(nsn) is not None


def _compile_region(md: PhoneMetadata) -> _Region | None:
    """Reproduce ``_number_type_helper(...) != UNKNOWN``: general desc and any type desc."""
    general = _desc_parts(md.general_desc)
    if general is None:
        return None
    types = [t for t in (_desc_parts(getattr(md, f, None)) for f in _TYPE_FIELDS) if t]
    by_length: dict[int, re.Pattern[str]] = {}
    parts: dict[int, tuple[str, str]] = {}
    for length in range(1, 18):
        if general[1] and length not in general[1]:
            continue
        alts = [pat for pat, lens in types if not lens or length in lens]
        if alts:
            body = "|".join(f"(?:{a})" for a in alts)
            by_length[length] = re.compile(f"(?=(?:{general[0]})$)(?:{body})$")
            parts[length] = (general[0], body)
    leading = re.compile(md.leading_digits) if md.leading_digits else None
    return _Region(leading, by_length, parts)


def _compiled_regions(cc: int) -> tuple[tuple[str, ...], list[tuple[Any, _Region]]] | None:
    """A calling code's region codes, and each region's metadata with its compiled rules
    in library order; None when any of them is beyond the fast path."""
    codes = COUNTRY_CODE_TO_REGION_CODE.get(cc)
    if not codes or codes[0] == "001":
        return None
    out: list[tuple[Any, _Region]] = []
    for code in codes:
        md = PhoneMetadata.metadata_for_region(code, None)
        if md is None:
            continue
        region = _compile_region(md)
        if region is None:
            return None
        out.append((md, region))
    return tuple(codes), out


@cache
def _regions_for(cc: int) -> tuple[_Region, ...] | None:
    """Compiled validity rules of every region sharing a calling code, in library order."""
    compiled = _compiled_regions(cc)
    if compiled is None:
        return None
    codes, regions = compiled
    out = [region for _, region in regions]
    main = PhoneMetadata.metadata_for_region(codes[0], None)
    prefix = main.national_prefix_for_parsing if main is not None else None
    if prefix is not None and not prefix.isdigit():
        return None  # complex national-prefix rules: leave to phonenumbers
    return tuple(out)


@cache
def _main_prefix(cc: int) -> str | None:
    md = PhoneMetadata.metadata_for_region(COUNTRY_CODE_TO_REGION_CODE[cc][0], None)
    return md.national_prefix_for_parsing if md is not None else None


def _fast_valid(cc: int, nsn: str) -> bool:
    """``is_valid_number`` for a number whose national part has no prefix to strip."""
    regions = _regions_for(cc)
    return regions is not None and _valid_in(regions, nsn)


def _valid_in(regions: tuple[_Region, ...], nsn: str) -> bool:
    """Validity as the library decides it among a calling code's regions: the first whose
    leading digits match decides; a region without leading digits counts when valid."""
    for region in regions:
        if region.leading is not None:
            if region.leading.match(nsn):
                return region.valid(nsn)
        elif region.valid(nsn):
            return True
    return False


def _split_cc(digits: str) -> tuple[int, str] | None:
    for size in (1, 2, 3):
        cc = int(digits[:size])
        if cc in COUNTRY_CODE_TO_REGION_CODE:
            return cc, digits[size:]
    return None


_NANP = frozenset(COUNTRY_CODE_TO_REGION_CODE.get(1, ()))


def _fast_phone(v: str, region: str) -> str | None:
    """E.164 for the common shapes when certainly valid; None means 'ask phonenumbers'."""
    s = v.translate(_PHONE_STRIP)
    if s.startswith("+"):
        digits = s[1:]
        if not digits.isdigit() or not 5 <= len(digits) <= 17:
            return None
        split = _split_cc(digits)
        if split is None:
            return None
        cc, nsn = split
        prefix = _main_prefix(cc)
        if nsn.startswith("0") or (prefix and nsn.startswith(prefix)):
            return None
        return f"+{digits}" if _fast_valid(cc, nsn) else None
    if region in _NANP and s.isdigit():
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


# -- digits only: the library's own parsing steps, without its text handling ----------

#: phonenumbers helpers the digits path calls; without them (another library version)
#: every number the fast path cannot settle goes through ``phonenumbers.parse``
_PN_STEPS = all(hasattr(_pnu, name) for name in (
    "_extract_country_code", "_test_number_length", "ValidationResult",
    "region_code_for_country_code"))
#: raw text the library reduces to its digits (and a leading plus), nothing else: no
#: letters, extensions, tabs or non-ASCII characters
_DIGITS_SHAPE = re.compile(r"\(?\+?[0-9][0-9 ().\-/]*")
_SHORT_OR_LOCAL = tuple(getattr(_pnu.ValidationResult, name, None) for name in (
    "TOO_SHORT", "IS_POSSIBLE_LOCAL_ONLY", "INVALID_LENGTH"))


@cache
def _validity_regions(cc: int) -> tuple[tuple[_Region, ...], bool] | None:
    """Validity rules of a calling code's regions, in library order, and whether the
    library checks the first one alone (a single region); None: leave it to the library."""
    compiled = _compiled_regions(cc)
    if compiled is None:
        return None
    codes, regions = compiled
    out: list[_Region] = []
    for md, region in regions:
        leading = re.compile(md.leading_digits) if md.leading_digits is not None else None
        out.append(_Region(leading, region.by_length, region.parts))
    return tuple(out), len(codes) == 1


def _valid_number(cc: int, nsn: str) -> bool | None:
    """``is_valid_number`` of a parsed number: its region as the library picks it
    (leading digits, else the first whose rules match), then that region's rules."""
    found = _validity_regions(cc)
    if found is None:
        return None
    regions, single = found
    if single:
        return bool(regions) and regions[0].valid(nsn)
    return _valid_in(regions, nsn)


@lru_cache(maxsize=1024)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches_whole(number: str, desc: object) -> bool:
    """The library's ``_match_national_number(number, desc, False)``."""
    pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
    return bool(pattern) and _rx(pattern).fullmatch(number) is not None


def _strip_national_prefix(number: str, md: PhoneMetadata) -> str | None:
    """The library's ``_maybe_strip_national_prefix_carrier_code`` (number part), for
    metadata without a prefix transform rule; None for the others."""
    prefix = md.national_prefix_for_parsing
    if not number or not prefix:
        return number
    found = _rx(prefix).match(number)
    if not found:
        return number
    if md.national_prefix_transform_rule:
        return None
    rest = number[found.end():]
    if _matches_whole(number, md.general_desc) and not _matches_whole(rest, md.general_desc):
        return number
    return rest


def _country_code(s: str, md: PhoneMetadata) -> tuple[int, str] | None:
    """The library's ``_maybe_extract_country_code`` for ``+``digits or digits; None
    where it would raise, or read an international dialling prefix (left to it)."""
    if s.startswith("+"):
        digits = s[1:]
        if len(digits) <= 2:
            return None
        cc, rest = _pnu._extract_country_code(digits)
        return (int(cc), str(rest)) if cc else None
    if md.international_prefix is not None and _rx(md.international_prefix).match(s):
        return None
    own = str(md.country_code)
    if s.startswith(own):
        potential = _strip_national_prefix(s[len(own):], md)
        if potential is None:
            return None
        if ((not _matches_whole(s, md.general_desc)
             and _matches_whole(potential, md.general_desc))
                or _pnu._test_number_length(s, md) == _pnu.ValidationResult.TOO_LONG):
            return int(md.country_code or 0), potential
    return 0, ""


def _digits_phone(v: str, region: str) -> str | Invalid | None:
    """``_slow_phone`` for text that is only digits, formatting and a leading plus.

    Follows ``phonenumbers.parse`` from the country code on (IDD, country code,
    national prefix, possible lengths: the library's steps, with its metadata), and
    checks validity with the compiled rules; None (ask the library) for anything that
    would raise or take a rarer branch.
    """
    if not _PN_STEPS or len(v) > 64 or not _DIGITS_SHAPE.fullmatch(v):
        return None
    s = v.translate(_PHONE_STRIP)
    if not 5 <= len(s.lstrip("+")) <= 17:
        return None
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return None
    found = _country_code(s, metadata)
    if found is None:
        return None
    cc, nsn = found
    if cc != 0:
        number_region = _pnu.region_code_for_country_code(cc)
        if number_region != region:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(cc, number_region)
            if metadata is None:
                return None
    elif metadata.country_code:
        nsn, cc = s, int(metadata.country_code)
    else:
        return None
    if len(nsn) < 2:
        return None
    potential = _strip_national_prefix(nsn, metadata)
    if potential is None:
        return None
    if _pnu._test_number_length(potential, metadata) not in _SHORT_OR_LOCAL:
        nsn = potential
    if not 2 <= len(nsn) <= 17:
        return None
    valid = _valid_number(cc, nsn)
    if valid is None:
        return None
    return f"+{cc}{nsn}" if valid else Invalid(f"not a valid phone number for region {region}")


def normalise_phone(
    raw: str, region: str | None = None, default_region: str = "US"
) -> str | Invalid:
    """Parse a phone with the event's country (else the default region) into E.164."""
    reg = (region or default_region or "US").upper()
    v = raw.strip()
    if v.startswith("'"):
        v = v[1:].strip()
    if _EXCEL_NUMBER.fullmatch(v):
        return Invalid("looks like a number mangled by a spreadsheet (scientific notation)")
    fast = _fast_phone(v, reg)
    if fast is not None:
        return fast
    digits = _digits_phone(v, reg)
    if digits is not None:
        return digits
    return _slow_phone(v, reg)


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


def phone_reference(raw: str, region: str) -> str | Invalid:
    """The library-only answer, used by tests to hold the fast path to the same output."""
    v = raw.strip()
    if v.startswith("'"):
        v = v[1:].strip()
    return _slow_phone.__wrapped__(v, region)
