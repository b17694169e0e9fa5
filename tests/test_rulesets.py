"""A rule set declares its identifier kinds (issue 11): email, phone and id namespaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.errors import UsageError
from identigraph.events import EventTable
from identigraph.rules.registry import load_ruleset, shipped_names

NAMESPACE = """extends: klaviyo-sms
name: with-loyalty
identifiers:
  - {name: external_id}
  - {name: email, normaliser: email}
  - {name: phone, normaliser: phone}
  - {name: loyalty_id, normaliser: digits, description: a loyalty card number}
strength: [loyalty_id, external_id, email, phone]
limits:
  loyalty_id: {max: 1, past_limit: refuse}
blocked:
  - {kind: loyalty_id, value: "LOY 00-42"}
"""


def _ruleset(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rule_set_without_a_declaration_has_todays_three_kinds(tmp_path: Path) -> None:
    """Without a declaration a rule set has external_id, email and phone, in that order."""
    text = "name: plain\nevent_types: {import: {link: merge}}\n"
    assert load_ruleset(str(_ruleset(tmp_path, text))).kind_names() == (
        "external_id", "email", "phone")


VENDOR_IDS = ("klaviyo_id", "shopify_customer_id", "segment_user_id", "segment_anonymous_id")


@pytest.mark.parametrize("name", shipped_names())
def test_shipped_rule_sets_declare_each_vendor_id_in_its_own_namespace(name: str) -> None:
    """external_id and every vendor id are declared, the seed's external id > email > phone
    order is kept, and each vendor id has the limit its vendor gives it (docs/formats.md)."""
    rs = load_ruleset(name)
    assert set(VENDOR_IDS) | {"external_id", "email", "phone"} <= set(rs.kind_names())
    seed = [k for k in rs.strength if k in ("external_id", "email", "phone")]
    assert seed == ["external_id", "email", "phone"]
    assert rs.strength[-1] == "segment_anonymous_id"  # a cookie: the weakest
    for kind in ("external_id", "klaviyo_id", "shopify_customer_id", "segment_user_id"):
        lim = rs.limit_for(kind)
        assert lim is not None and (lim.max, lim.past_limit.value) == (1, "refuse"), kind
    anon = rs.limit_for("segment_anonymous_id")
    assert anon is not None and (anon.max, anon.past_limit.value) == (5, "replace")


def test_a_namespace_is_declared_with_its_normaliser_strength_limit_and_blocks(
    tmp_path: Path,
) -> None:
    """A user's namespace takes its place in the strength order; blocked values of it are
    normalised by its normaliser."""
    rs = load_ruleset(str(_ruleset(tmp_path, NAMESPACE)))
    assert rs.kind_names() == ("external_id", "email", "phone", "loyalty_id")
    assert rs.strength[0] == "loyalty_id"
    loyalty = rs.identifiers[3]
    assert loyalty.normalise(rs.blocked[0].value or "") == "0042"
    assert rs.limit_for("loyalty_id") is not None


@pytest.mark.parametrize(("change", "named"), [
    ("identifiers: [{name: crm_id}, {name: email, normaliser: email}, "
     "{name: phone, normaliser: phone}]", "strength"),
    ("limits: {crm_id: {max: 1}}", "crm_id"),
    ("blocked: [{kind: crm_id, value: x}]", "crm_id"),
    ("identifiers: [{name: email, normaliser: email}]", "email and phone"),
    ("identifiers: [{name: email, normaliser: lower}, {name: phone, normaliser: phone}]",
     "built-in"),
    ("identifiers: [{name: x, normaliser: regex}, {name: email, normaliser: email}, "
     "{name: phone, normaliser: phone}]", "strip"),
    ("identifiers: [{name: Bad-Name}, {name: email, normaliser: email}, "
     "{name: phone, normaliser: phone}]", "identifiers.0.name"),
])
def test_a_wrong_declaration_is_one_line_naming_it(tmp_path: Path, change: str,
                                                   named: str) -> None:
    """Every kind a rule set uses must be declared, and declared well."""
    text = "extends: klaviyo-sms\nname: mine\n" + change + "\n"
    with pytest.raises(UsageError) as err:
        load_ruleset(str(_ruleset(tmp_path, text)))
    assert named in str(err.value) and "\n" not in str(err.value)


def test_a_declared_kind_without_values_changes_no_profile(tmp_path: Path) -> None:
    """The replay over four kinds (the namespace first in strength, no event carrying it)
    gives exactly the rows of the default three, profile ids included."""
    rs = load_ruleset(str(_ruleset(tmp_path, NAMESPACE)))
    events = EventTable.of({
        "event_id": ["a", "b", "c", "d"], "ts": [1, 2, 3, 4],
        "type": ["form_submit", "checkout", "import", "sms_keyword"],
        "email": ["ann@example.com", "ann@example.com", "bo@example.com", None],
        "phone": ["+14155550101", "+14155550102", "+14155550101", "+14155550103"],
        "external_id": [None, None, "crm-1", None],
        "sms_consent": ["subscribed", None, None, "subscribed"]})
    four = StateRows(events, resolve(events, rs)).tables()
    three = StateRows(events, resolve(events, load_ruleset("klaviyo-sms"))).tables()
    for name in SCHEMAS:
        assert four[name].equals(three[name]), name
    assert four["profiles"].num_rows == 3
