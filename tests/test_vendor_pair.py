"""A Shopify customers export and a Klaviyo profiles export of the same people (issue 11).

examples/pair holds the two exports as the vendors write them: 10 people, 6 in both, 2 only
in Shopify, 2 only in Klaviyo. Each vendor id lives in its own namespace, so in either load
order each person is one profile holding both vendor ids, and no profile is ids alone.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from identigraph.api import load
from identigraph.graph.explain import explain
from identigraph.graph.open import open_store

PAIR = Path(__file__).resolve().parents[1] / "examples" / "pair"
SHOPIFY = PAIR / "shopify_customers_export.csv"
KLAVIYO = PAIR / "klaviyo_profiles_export.csv"


def _ids(path: Path, column: str, kind: str) -> dict[str, str]:
    """email -> ``kind:id`` of each row of an export, read as the vendor wrote it."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["Email"].strip().lower(): f"{kind}:{row[column].strip().lstrip(chr(39))}"
                for row in csv.DictReader(fh)}


SHOPIFY_IDS = _ids(SHOPIFY, "Customer ID", "shopify_customer_id")
KLAVIYO_IDS = _ids(KLAVIYO, "Klaviyo ID", "klaviyo_id")
PEOPLE = sorted(set(SHOPIFY_IDS) | set(KLAVIYO_IDS))
BOTH = sorted(set(SHOPIFY_IDS) & set(KLAVIYO_IDS))


def test_the_pair_is_the_issues_case() -> None:
    """10 people: 6 in both exports, 2 only in Shopify, 2 only in Klaviyo."""
    assert (len(PEOPLE), len(BOTH), len(SHOPIFY_IDS), len(KLAVIYO_IDS)) == (10, 6, 8, 8)


@pytest.mark.parametrize("files", [(SHOPIFY, KLAVIYO), (KLAVIYO, SHOPIFY)],
                         ids=["shopify-first", "klaviyo-first"])
def test_one_profile_per_person_holding_both_vendor_ids(store_location: str,
                                                        files: tuple[Path, Path]) -> None:
    """Two loads in either order: one profile per person with every id of that person, each
    profile holding its person's email; explain says which events joined each pair."""
    store = open_store(store_location)
    try:
        for f in files:
            load(store, [f])
        profiles = store.profiles()
        assert len(profiles) == len(PEOPLE)
        assert all(len(p.emails) == 1 for p in profiles)  # no profile of vendor ids alone
        for email in PEOPLE:
            keys = [f"email:{email}"] + [ids[email] for ids in (SHOPIFY_IDS, KLAVIYO_IDS)
                                         if email in ids]
            found = [store.identifier(k) for k in keys]
            held = {None if f is None else f.profile_id for f in found}
            assert len(held) == 1 and None not in held, (email, held)
        for email in BOTH:
            why = explain(store, SHOPIFY_IDS[email], KLAVIYO_IDS[email])
            assert why.same_profile and why.path, email
            assert all(e.merges and e.event_type == "import" for e in why.path)
            touched = {k for e in why.path for k in (e.from_, e.to)}
            assert f"email:{email}" in touched  # the shared email joined them
            assert len(why.sentences) == len(why.path)
    finally:
        store.close()
