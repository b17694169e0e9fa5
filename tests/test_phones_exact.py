"""A stored phone is exactly what phonenumbers gives for the same text and region, or
nothing (issue 11): the fast path and the column path, over every supported region's
example numbers and the mutations real exports carry."""

from __future__ import annotations

import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from support import examples, library_phone

from identigraph.loaders._identcols import phones
from identigraph.normalise import Invalid
from identigraph.phones import LETTERS_REASON, normalise_phone, phone_has_letters

_TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
          PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.SHARED_COST,
          PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.UAN, PhoneNumberType.PAGER,
          PhoneNumberType.VOICEMAIL)
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
#: (region, E.164, national form, international form) of every example number
EXAMPLES = sorted({
    (region, phonenumbers.format_number(ex, PhoneNumberFormat.E164),
     phonenumbers.format_number(ex, PhoneNumberFormat.NATIONAL),
     phonenumbers.format_number(ex, PhoneNumberFormat.INTERNATIONAL))
    for region in REGIONS for t in _TYPES
    if (ex := phonenumbers.example_number_for_type(region, t)) is not None
})
#: the mutations of issue 11 (leading +0, 00 prefix, extensions, tel:, spaces, letters,
#: truncation) and a few more that real exports carry
MUTATIONS = {
    "e164": lambda e, n, i: e,
    "national": lambda e, n, i: n,
    "international": lambda e, n, i: i,
    "plus_zero": lambda e, n, i: "+0" + e[1:],
    "plus_double_zero": lambda e, n, i: "+00" + e[1:],
    "idd_00": lambda e, n, i: "00" + e[1:],
    "idd_011": lambda e, n, i: "011" + e[1:],
    "zero_for_cc": lambda e, n, i: "+0" + e[2:],
    "extension_x": lambda e, n, i: e + " x12",
    "extension_ext": lambda e, n, i: n + " ext. 5",
    "extension_hash": lambda e, n, i: i + "#77",
    "tel_uri": lambda e, n, i: "tel:" + e,
    "tel_digits": lambda e, n, i: "tel:" + e[1:],
    "spaced_digits": lambda e, n, i: " ".join(e[1:]),
    "spaced_plus": lambda e, n, i: "+" + " ".join(e[1:]),
    "tabbed": lambda e, n, i: e[:4] + "\t" + e[4:],
    "nbsp": lambda e, n, i: i.replace(" ", "\u00a0"),
    "slashes": lambda e, n, i: i.replace(" ", "/"),
    "parenthesised": lambda e, n, i: "(" + e + ")",
    "padded_dashes": lambda e, n, i: e[:2] + "-" * 300 + e[2:],
    "apostrophe": lambda e, n, i: "'" + e,
    "digits_only": lambda e, n, i: e[1:],
    "national_zero": lambda e, n, i: "0" + e[1:],
    "letters_tail": lambda e, n, i: e[:-3] + "ABC",
    "masked": lambda e, n, i: n[:-2] + "XX",
    "truncated_1": lambda e, n, i: e[:-1],
    "truncated_2": lambda e, n, i: n[:-2],
    "extra_digit": lambda e, n, i: e + "7",
    "fullwidth": lambda e, n, i: e.translate(str.maketrans("+0123456789", "＋０１２３４５６７８９")),
}


def _check(raw: str, region: str, got: str | Invalid) -> None:
    """``got`` is the library's E.164 or nothing; nothing only where the library also
    refuses, or the text has letters (refused unless the rule set reads vanity numbers)."""
    ref = library_phone(raw, region)
    if isinstance(got, Invalid):
        assert ref is None or got.reason == LETTERS_REASON, (raw, region, ref)
        assert got.reason != LETTERS_REASON or phone_has_letters(raw), raw
    else:
        assert got == ref, (raw, region)


@settings(max_examples=examples(3000), deadline=None)
@given(example=st.sampled_from(EXAMPLES), mutation=st.sampled_from(sorted(MUTATIONS)),
       region=st.one_of(st.sampled_from(REGIONS), st.sampled_from(["US", "IT", "GB", "CA"])))
def test_every_region_and_mutation_gives_the_library_answer(
        example: tuple[str, str, str, str], mutation: str, region: str) -> None:
    """One value: the fast path's answer is the library's, or nothing."""
    _, e164, national, intl = example
    raw = MUTATIONS[mutation](e164, national, intl)
    _check(raw, region, normalise_phone(raw, region))
    _check(raw, example[0], normalise_phone(raw, example[0]))


@pytest.mark.parametrize("region", [None, "US"])
def test_column_path_gives_the_library_answer(region: str | None) -> None:
    """Whole columns (the bulk NANP step and the per-value path): every mutation of every
    third example, each row under its own example's region, or all under the US."""
    sample = EXAMPLES[::3]
    raws = [m(e, n, i) for _, e, n, i in sample for m in MUTATIONS.values()]
    countries = [r for r, *_ in sample for _ in MUTATIONS] if region is None else None
    got = phones(pa.array(raws, pa.string()),
                 None if countries is None else pa.array(countries, pa.string()), region or "US")
    values = got.values.to_pylist()
    bad = dict(zip(got.bad_rows.tolist(), got.reasons, strict=True))
    for row, raw in enumerate(raws):
        answer = Invalid(bad[row]) if row in bad else values[row]
        assert answer is not None, raw
        _check(raw, countries[row] if countries else "US", answer)


@pytest.mark.parametrize(("raw", "region"), [
    ("+01 212 555 0147", "US"), ("+0015065699173", "IT"), ("+1\t415\t555\t0101", "US"),
    ("+1" + "-" * 260 + "4155550101", "US"),
])
def test_shapes_the_fast_path_once_accepted(raw: str, region: str) -> None:
    """The numbers issue 11 found stored though the library refuses them, or stored in
    another form than the library's."""
    _check(raw, region, normalise_phone(raw, region))
    got = phones(pa.array([raw], pa.string()), None, region)
    _check(raw, region, Invalid(got.reasons[0]) if len(got.bad_rows) else got.values[0].as_py())
