"""Explanations in words: ``explain``, ``how`` and ``show`` summaries and edge sentences,
on the shipped example data, as a support person would paste them into a ticket."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import ROOT, cli, example_files

PYTHON_WORDS = re.compile(r"\b(None|True|False)\b")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store loaded with the example data through the command line."""
    db = str(tmp_path_factory.mktemp("words") / "demo.db")
    out = cli("load", *map(str, example_files()), store=db)
    assert out.returncode == 0, out.stderr
    return db


def _run(db: str, *args: str) -> str:
    out = cli(*args, store=db)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _json(db: str, *args: str) -> dict[str, object]:
    data = json.loads(_run(db, *args, "--json"))
    assert isinstance(data, dict)
    return data


def _text(db: str, *args: str) -> str:
    return _run(db, *args)


def test_attach_only_names_event_date_rule_set_and_exception(demo: str) -> None:
    """Sam's checkout: the event, its date, the rule set and SPEC exception A2."""
    data = _json(demo, "explain", "sam.okafor@example.com", "+12125550147")
    summary = str(data["summary"])
    assert summary.startswith("sam.okafor@example.com and +12125550147 are on different "
                              "profiles")
    assert "the checkout on 12 Mar 2025 (event c-sam-1) carried both" in summary
    assert "never joins two existing profiles (rule set klaviyo-sms, exception A2)" in summary
    edges = data["path"]
    assert isinstance(edges, list)
    assert [e["sentence"] for e in edges] == [
        "The checkout on 12 Mar 2025 (event c-sam-1) carried sam.okafor@example.com and "
        "+12125550147 but did not link them: a checkout never joins two existing profiles "
        "(rule set klaviyo-sms, exception A2)."]
    assert summary in _text(demo, "explain", "sam.okafor@example.com", "+12125550147")


def test_limit_names_the_profile_the_value_and_the_limit(demo: str) -> None:
    """Maria's work email: which profile holds which email, and the limit of 1."""
    data = _json(demo, "explain", "m.lopez.work@example.com", "+14155550134")
    maria = _json(demo, "show", "maria.lopez@example.com")["profile"]
    assert isinstance(maria, dict)
    summary = str(data["summary"])
    assert f"+14155550134 is on profile {maria['profile_id']}" in summary
    assert "already holds the email maria.lopez@example.com" in summary
    assert "rule set klaviyo-sms allows 1 email per profile" in summary
    assert "f-limit-1" in summary and "10 Apr 2025" in summary


def test_superseded_says_when_it_merged_and_what_replaced_it(demo: str) -> None:
    """Lee's old phone: linked on 7 Mar 2025, replaced on 2 Apr 2025 by checkout c-lee-1."""
    data = _json(demo, "explain", "lee.chen@example.com", "+17185550111")
    summary = str(data["summary"])
    assert "the form submit on 7 Mar 2025 (event f-lee-1) linked them" in summary
    assert "on 2 Apr 2025 the event c-lee-1 replaced +17185550111 with +17185550199" in summary
    assert "exception B" in summary
    how = _json(demo, "how", "lee.chen@example.com")
    steps = how["steps"]
    assert isinstance(steps, list)
    old = [s for s in steps if s["rule"] == "superseded"]
    assert old and all(s["action"] == "linked" for s in old)  # it did merge that day
    assert all("replaced +17185550111 with +17185550199" in s["sentence"] for s in old)
    assert "profile None" not in _text(demo, "explain", "lee.chen@example.com", "+17185550111")
    assert f"lee.chen@example.com is on profile {how['profile_id']} (Lee Chen) and +17185550111 " \
           "is on no profile: the form submit" in summary


def test_never_merges_and_merges(demo: str) -> None:
    """Kim's keyword (exception C), Zoe's campaign link (C2), Maria's form (a merge)."""
    kim = str(_json(demo, "explain", "kim.nguyen@example.com", "+15125550163")["summary"])
    assert "an SMS keyword opt-in never merges (rule set klaviyo-sms, exception C)" in kim
    zoe = str(_json(demo, "explain", "zoe.martin@example.com", "+13125550155")["summary"])
    assert "exception C2" in zoe
    maria = _json(demo, "explain", "maria.lopez@example.com", "+14155550134")
    assert "are on the same profile p_" in str(maria["summary"])
    assert "the form submit on 9 Mar 2025 (event f-maria-2) carried both" in str(
        maria["summary"])
    apart = _json(demo, "explain", "+16465550101", "+16465550102")
    assert "no event ever connected them" in str(apart["summary"])


def test_how_and_show_summaries(demo: str) -> None:
    """``how`` tells how the profile began and what changed; ``show`` where X is."""
    how = _json(demo, "how", "lee.chen@example.com")
    summary = str(how["summary"])
    assert summary.startswith(f"lee.chen@example.com is on profile {how['profile_id']}")
    assert "+17185550111 was replaced by +17185550199" in summary
    steps = how["steps"]
    assert isinstance(steps, list) and all(s["sentence"] for s in steps)
    show = _json(demo, "show", "ana.silva@example.com")
    assert "SMS consent never subscribed" in str(show["summary"])
    gone = _json(demo, "show", "+17185550111")
    assert "is on no profile: on 2 Apr 2025 the event c-lee-1 replaced it with " \
           "+17185550199" in str(gone["summary"])
    assert str(show["summary"]) in _text(demo, "show", "ana.silva@example.com")


def test_no_python_words_in_any_text(demo: str) -> None:
    """No ``None``/``True``/``False`` in the text or the sentences of any answer."""
    pairs = [("sam.okafor@example.com", "+12125550147"), ("lee.chen@example.com", "+17185550111"),
             ("m.lopez.work@example.com", "+14155550134"), ("nobody@example.com", "+12125550147"),
             ("+16465550101", "+16465550102"), ("dev.patel@example.com", "+14155550178")]
    texts = []
    for a, b in pairs:
        texts.append(_text(demo, "explain", a, b))
        data = _json(demo, "explain", a, b)
        texts += [str(data["summary"])] + [str(e["sentence"]) for e in data["path"]]  # type: ignore[union-attr]
    for who in ("lee.chen@example.com", "+17185550111", "maria.lopez@example.com"):
        texts += [_text(demo, "how", who), _text(demo, "show", who)]
        data = _json(demo, "how", who)
        texts += [str(data["summary"])] + [str(s["sentence"]) for s in data["steps"]]  # type: ignore[union-attr]
    for text in texts:
        assert not PYTHON_WORDS.search(text), text


def test_undated_snapshot_says_so(tmp_path: Path) -> None:
    """Shopify customer rows have no event time: sentences say so instead of 1970."""
    db = str(tmp_path / "shop.db")
    fixture = ROOT / "tests" / "loaders" / "fixtures" / "shopify_customers.csv"
    assert cli("load", str(fixture), store=db).returncode == 0
    how = _json(db, "how", "ann@example.com")
    text = _text(db, "how", "ann@example.com")
    assert "1970" not in str(how["summary"]) + text
    assert "no real time" in str(how["summary"])
    assert "undated" in text
    show = _json(db, "show", "ann@example.com")
    assert "Ann Lee" in str(show["summary"])


def test_profiles_have_a_name_column(demo: str) -> None:
    """``profiles``: each person's name beside the profile id (``--no-names`` leaves it)."""
    lines = _text(demo, "profiles").splitlines()
    maria = next(x for x in lines if "maria.lopez@example.com" in x)
    assert maria.split("  ")[1] == "Maria Lopez"
    plain = _text(demo, "profiles", "--no-names")
    assert "Maria Lopez" not in plain and "maria.lopez@example.com" in plain


def test_blocked_value_says_which_entry_of_the_rule_set(tmp_path: Path) -> None:
    """A blocked shop phone: on no profile, blocked by the rule set, with its reason."""
    rules = tmp_path / "shop.yaml"
    rules.write_text('extends: klaviyo-sms\nname: shop\nblocked:\n'
                     '  - {kind: email, regex: "^test@.*", reason: test addresses}\n'
                     '  - {kind: phone, value: "+12125550100", reason: store front desk}\n',
                     encoding="utf-8")
    events = tmp_path / "e.jsonl"
    events.write_text(json.dumps({"event_id": "c1", "timestamp": "2025-04-03T10:00:00Z",
                                  "type": "checkout", "email": "rio@example.com",
                                  "phone": "+12125550100"}) + "\n", encoding="utf-8")
    db = str(tmp_path / "shop.db")
    assert cli("load", str(events), "--ruleset", str(rules), store=db).returncode == 0
    shown = _json(db, "show", "+12125550100")
    assert shown["summary"] == ("+12125550100 is on no profile: +12125550100 is a blocked "
                                "value of rule set shop (store front desk), and never links "
                                "anything.")
    why = _json(db, "explain", "rio@example.com", "+12125550100")
    assert "(store front desk)" in str(why["summary"]) and "test addresses" not in str(
        why["summary"])
