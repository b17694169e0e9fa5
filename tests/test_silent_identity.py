"""No silent identity changes (issue 17, class 1): letters in phones, placeholder values and
apostrophes never become identifiers a user did not type."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support import cli, key_sets, load_events, write_jsonl

from identigraph.identifiers import parse_identifier

TS = "2025-01-01T10:00:00Z"


def _ev(i: int, **fields: str) -> dict[str, str]:
    return {"event_id": f"e{i}", "timestamp": TS, "type": "form_submit", **fields}


def _reasons(path: Path) -> list[tuple[str, str, str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(r["line"], r["column"], r["severity"], r["reason"]) for r in csv.DictReader(fh)]


def test_letters_in_phones_are_dropped_with_a_warning(tmp_path: Path) -> None:
    """Masked rows do not all land on one real-looking number; a vanity number is not
    turned into digits unless the rule set says so."""
    src = write_jsonl(tmp_path / "p.jsonl", [
        _ev(1, email="ann@example.com", phone="415-555-XXXX"),
        _ev(2, email="bob@example.com", phone="415-555-XXXX"),
        _ev(3, email="flo@example.com", phone="1-800-FLOWERS"),
        _ev(4, email="ext@example.com", phone="+1 415 555 0101 ext. 12"),
    ])
    db = str(tmp_path / "s.db")
    report = load_events(db, src)
    keys = {k for ks in key_sets(db) for k in ks}
    assert "phone:+14155559999" not in keys and "phone:+18003569377" not in keys
    assert "phone:+14155550101" in keys  # an extension is not letters
    assert (report.total("loaded"), report.total("loaded_with_warnings")) == (1, 3)
    dropped = [p for p in report.problems if p.column == "phone"]
    assert [p.line for p in dropped] == [1, 2, 3]
    assert all("letters" in p.reason and p.severity == "warning" for p in dropped)


def test_vanity_numbers_are_an_opt_in_of_the_rule_set(tmp_path: Path) -> None:
    """``vanity_phones: true`` reads letters as keypad digits, as phonenumbers does."""
    rules = tmp_path / "vanity.yaml"
    rules.write_text("extends: klaviyo-sms\nname: vanity\nvanity_phones: true\n",
                     encoding="utf-8")
    src = write_jsonl(tmp_path / "p.jsonl", [_ev(1, email="flo@example.com",
                                                 phone="1-800-FLOWERS")])
    db = str(tmp_path / "s.db")
    load_events(db, src, ruleset=str(rules))
    assert key_sets(db) == {frozenset({"email:flo@example.com", "phone:+18003569377"})}


@pytest.mark.parametrize("value", ["NULL", "null", "nan", "NaN", "#N/A", "N/A", "none",
                                   "undefined", "0", "-", " NULL ", "'N/A"])
def test_placeholders_are_missing_values(tmp_path: Path, value: str) -> None:
    """A placeholder id joins nobody: two people whose CRM id is ``NULL`` stay apart, and
    a real customer's phone is not taken over by a ``NULL`` id."""
    src = write_jsonl(tmp_path / "p.jsonl", [
        _ev(1, email="real@example.com", phone="(415) 555-0101", external_id="crm-1"),
        _ev(2, email="a@example.com", external_id=value),
        _ev(3, email="b@example.com", phone="(415) 555-0101", external_id=value),
    ])
    db = str(tmp_path / "s.db")
    report = load_events(db, src)
    assert key_sets(db) == {
        frozenset({"external_id:crm-1", "email:real@example.com", "phone:+14155550101"}),
        frozenset({"email:a@example.com"}), frozenset({"email:b@example.com"})}
    warned = [(p.line, p.column, p.severity) for p in report.problems]
    assert warned == [(2, "external_id", "warning"), (3, "external_id", "warning")]
    assert all("placeholder" in p.reason for p in report.problems)


def test_a_row_with_only_placeholders_is_rejected(tmp_path: Path) -> None:
    """Placeholders in every identifier column leave the row with none: rejected, and the
    rejects file says why for each value."""
    src = tmp_path / "p.csv"
    src.write_text("event_id,timestamp,type,email,phone,external_id\n"
                   f"x1,{TS},form_submit,null,#N/A,undefined\n", encoding="utf-8")
    db, rejects = str(tmp_path / "s.db"), tmp_path / "r.csv"
    out = cli("load", str(src), "--json", "--rejects", str(rejects), store=db)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rejected"] == 1
    got = _reasons(rejects)
    assert [(line, col, sev) for line, col, sev, _ in got] == [
        ("2", "email", "warning"), ("2", "phone", "warning"), ("2", "external_id", "warning"),
        ("2", "email/phone/external_id", "rejected")]


def test_users_extend_the_placeholder_list(tmp_path: Path) -> None:
    """``missing_values`` in a rule set: the shipped list plus a shop's own ``TBD``."""
    rules = tmp_path / "tbd.yaml"
    rules.write_text("extends: klaviyo-sms\nname: tbd\nmissing_values: [NULL, TBD]\n",
                     encoding="utf-8")
    src = write_jsonl(tmp_path / "p.jsonl", [_ev(1, email="a@example.com", external_id="TBD"),
                                              _ev(2, email="b@example.com", external_id="tbd")])
    db = str(tmp_path / "s.db")
    load_events(db, src, ruleset=str(rules))
    assert key_sets(db) == {frozenset({"email:a@example.com"}), frozenset({"email:b@example.com"})}


@pytest.mark.parametrize(("typed", "key"), [
    ("external_id:'abc", "external_id:abc"), ("'abc", "external_id:abc"),
    ("email:'Ann@Example.com", "email:ann@example.com"), ("'+1 415 555 0101", "phone:+14155550101"),
])
def test_queries_are_normalised_like_input(typed: str, key: str) -> None:
    """A leading apostrophe is dropped on the command line as in files."""
    assert parse_identifier(typed) == key


def test_show_finds_an_id_loaded_with_an_apostrophe(tmp_path: Path) -> None:
    """``show "external_id:'abc"`` finds what ``'abc`` in a file became."""
    db = str(tmp_path / "s.db")
    load_events(db, write_jsonl(tmp_path / "p.jsonl", [_ev(1, email="a@example.com",
                                                          external_id="'abc")]))
    out = cli("show", "external_id:'abc", store=db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("external id abc is on profile")
