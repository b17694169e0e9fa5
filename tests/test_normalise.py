"""Identifier normalisation: the phone fast path gives exactly what phonenumbers gives."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples, library_phone

from identigraph.identifiers import parse_identifier
from identigraph.loaders._columns import drop_spreadsheet_numbers, spreadsheet_numbers
from identigraph.loaders._identcols import emails, phones
from identigraph.loaders._textcols import clean_text
from identigraph.normalise import (
    Invalid,
    clean_raw,
    is_spreadsheet_number,
    normalise_email,
    normalise_external_id,
)
from identigraph.phones import normalise_phone

AREAS = ["201", "212", "415", "646", "876", "800", "555", "123", "604", "020"]
SHAPES = ["({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "'+1{a}{b}{c}", "{a}{b}{c}",
          "1-{a}-{b}-{c}", "+1{a}{b}{c}", "+44 7911 {c}{b}", "+33 6 {b} {c}", "+49 30 {b}{c}",
          "00{a}{b}{c}", "+1 1{a}{b}{c}", "+39 06 {b} {c}", "{a}-{b}"]


@settings(max_examples=examples(600), deadline=None)
@given(shape=st.sampled_from(SHAPES), a=st.sampled_from(AREAS),
       b=st.integers(0, 999), c=st.integers(0, 9999),
       region=st.sampled_from(["US", "CA", "GB", "FR", "DE"]))
def test_fast_path_matches_phonenumbers(shape: str, a: str, b: int, c: int, region: str) -> None:
    """Whatever the shape and region: the same E.164, or invalid in both."""
    raw = shape.format(a=a, b=f"{b:03d}", c=f"{c:04d}")
    fast, ref = normalise_phone(raw, region), library_phone(raw, region)
    assert (fast if not isinstance(fast, Invalid) else None) == ref, raw


@pytest.mark.parametrize(("raw", "country", "expected"), [
    ("(415) 555-0101", None, "+14155550101"),
    ("'+14155550101", None, "+14155550101"),
    ("0612345678", "FR", "+33612345678"),
    ("+44 7911 123456", None, "+447911123456"),
    ("415.555.0101", None, "+14155550101"),
])
def test_real_export_phone_shapes(raw: str, country: str | None, expected: str) -> None:
    """The shapes SPEC section 2 names all come out E.164."""
    assert normalise_phone(raw, country) == expected


def test_invalid_values_say_why() -> None:
    """Invalid values carry a reason a user can act on."""
    assert isinstance(normalise_phone("555-0101"), Invalid)
    mangled = normalise_phone("1.41555E+10")
    assert isinstance(mangled, Invalid) and "spreadsheet" in mangled.reason
    assert normalise_email("  Ann@Example.COM ") == "ann@example.com"
    for bad in ("ann@", "ann@example", "a b@example.com", "@example.com"):
        assert isinstance(normalise_email(bad), Invalid), bad
    assert isinstance(normalise_external_id("7.21045E+12"), Invalid)
    assert normalise_external_id(" cust-1 ") == "cust-1"


def test_command_line_identifiers() -> None:
    """Typed identifiers: prefixes, '@' for email, phones normalised, else external id."""
    assert parse_identifier("+1 (415) 555-0101") == "phone:+14155550101"
    assert parse_identifier("Ann@Example.com") == "email:ann@example.com"
    assert parse_identifier("external_id:4155550101") == "external_id:4155550101"
    assert parse_identifier("CRM-0001") == "external_id:CRM-0001"
    assert parse_identifier("06 12 34 56 78", "FR") == "phone:+33612345678"


def test_columns_match_values() -> None:
    """The bulk column steps give what the per-value functions give, value by value."""
    raw = ["(415) 555-0101", "+1 415-555-0101", "'+14155550101", "4155550101",
           "14155550101", "07911 123456", "+44 7911 123456", "555-0101", "1.41555E+10",
           "+1 (800) 555-0101", "０６１２３４５６７８", None, "(415) 555-0101"]
    countries = ["US", None, "CA", "US", None, "GB", "US", None, None, None, "NL", None, "GB"]
    got = phones(pa.array(raw, pa.string()), pa.array(countries, pa.string()), "US")
    values = got.values.to_pylist()
    for i, v in enumerate(raw):
        if v is None:
            assert values[i] is None
            continue
        want = normalise_phone(v, countries[i], "US")  # each row under its own country
        assert values[i] == (None if isinstance(want, Invalid) else want), v
    emails_in = ["Ann@Example.COM", "mailto:bo@x.io", "a b@example.com", "Kelvin\u212a@x.io",
                 "x" * 65 + "@example.com", None, "ok.name+tag@sub.example.co.uk"]
    got_e = emails(pa.array(emails_in, pa.string())).values.to_pylist()
    for v, g in zip(emails_in, got_e, strict=True):
        want_e = None if v is None else normalise_email(v)
        assert g == (None if isinstance(want_e, Invalid) else want_e), v


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(" '\t\u00a0\u2003\x1fab1@+é\n", max_size=6)),
                max_size=40))
def test_clean_text_matches_clean_raw(values: list[str | None]) -> None:
    """Trimming a whole column gives what trimming each value gives (None for empty)."""
    got = clean_text(pa.array(values, pa.string())).to_pylist()
    assert got == [clean_raw(v) for v in values]


def test_one_spreadsheet_number_pattern() -> None:
    """The per-value check (external ids, phones) and the loaders' Arrow column checks read
    one pattern, so they agree on every value (non-ASCII digits included)."""
    values = ["7.21045E+12", "-1e5", "+4.1E-3", "1.5e", "e5", "CRM-1E5", "4.1E+9x", "12345",
              "\u0664.\u0661E+9", "1E5\u0664"]
    mangled = [is_spreadsheet_number(v) for v in values]
    assert mangled == [True, True, True, False, False, False, False, False, False, False]
    assert spreadsheet_numbers(pa.array(values)).to_pylist() == mangled
    assert [isinstance(normalise_external_id(v), Invalid) for v in values] == mangled
    dropped: list[int] = []
    cells = [f" '{v} " for v in values]
    drop_spreadsheet_numbers(pa.array(cells), lambda row, _: dropped.append(row))
    assert dropped == [i for i, m in enumerate(mangled) if m]
