"""Regenerate the example data set (deterministic): ``python examples/make_examples.py``.

A small shop's contacts over a few months, in four files as they would be exported, with
every rule of SPEC section 1 happening at least once (see examples/README.md).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CSV_FIELDS = ["event_id", "timestamp", "type", "email", "phone", "external_id", "country",
              "email_consent", "sms_consent", "channel", "source", "attributes"]


def ev(eid: str, when: str, type_: str, **kw: Any) -> dict[str, Any]:
    """One canonical event."""
    return {"event_id": eid, "timestamp": when, "type": type_, **kw}


def stories() -> dict[str, list[dict[str, Any]]]:
    """The named stories, one per rule, split by the file they arrive in."""
    forms: list[dict[str, Any]] = []
    sms: list[dict[str, Any]] = []
    checkouts: list[dict[str, Any]] = []
    imports: list[dict[str, Any]] = []
    # rule 1/2: Maria signs up by email, later adds her phone on a form tied to her email
    forms += [ev("f-maria-1", "2025-03-01T09:00:00Z", "form_submit", email="Maria.Lopez@Example.com",
                 email_consent="subscribed", source="footer signup",
                 attributes={"first_name": "Maria", "last_name": "Lopez"}),
              ev("f-maria-2", "2025-03-09T18:30:00Z", "form_submit", email="maria.lopez@example.com",
                 phone="(415) 555-0134", sms_consent="subscribed", source="SMS popup")]
    # rule 3: Dev texts a keyword (phone-only), has an email profile, then a form joins them
    sms += [ev("s-dev-1", "2025-03-02T12:00:00Z", "sms_keyword", phone="'+14155550178",
               sms_consent="subscribed", source="keyword SPRING")]
    forms += [ev("f-dev-1", "2025-03-03T08:00:00Z", "form_submit", email="dev.patel@example.com",
                 email_consent="subscribed"),
              ev("f-dev-2", "2025-03-20T10:15:00Z", "form_submit", email="dev.patel@example.com",
                 phone="415.555.0178", source="birthday form")]
    # rule 4: SMS-only subscribers identified by phone
    sms += [ev(f"s-only-{i}", f"2025-03-{4 + i:02d}T07:45:00Z", "sms_keyword", phone=p,
               sms_consent="subscribed", source="keyword DEALS")
            for i, p in enumerate(["+1 (646) 555-0101", "646-555-0102", "+16465550103"])]
    # rule 5/6: Sam (email) opts in on a phone-only form, then checks out with both
    forms += [ev("f-sam-1", "2025-03-05T11:00:00Z", "form_submit", email="sam.okafor@example.com",
                 email_consent="subscribed", attributes={"first_name": "Sam", "last_name": "Okafor"}),
              ev("f-sam-2", "2025-03-06T11:05:00Z", "form_submit", phone="+1 212 555 0147",
                 sms_consent="subscribed", source="SMS-only popup",
                 attributes={"first_name": "Sam", "last_name": "Okafor"})]
    checkouts += [ev("c-sam-1", "2025-03-12T16:20:00Z", "checkout", email="sam.okafor@example.com",
                     phone="(212) 555-0147", sms_consent="subscribed",
                     attributes=json.dumps({"order": "#1001", "total": 54.9}))]
    # rule 7: Lee has SMS consent and checks out with a new number, consenting to it
    forms += [ev("f-lee-1", "2025-03-07T09:30:00Z", "form_submit", email="lee.chen@example.com",
                 phone="(718) 555-0111", sms_consent="subscribed", email_consent="subscribed",
                 attributes={"first_name": "Lee", "last_name": "Chen"})]
    checkouts += [ev("c-lee-1", "2025-04-02T13:00:00Z", "checkout", email="lee.chen@example.com",
                     phone="718.555.0199", sms_consent="subscribed",
                     attributes=json.dumps({"order": "#1017", "total": 120.0}))]
    # rule 8: Ana has SMS consent and checks out with a new number, without consent for it
    forms += [ev("f-ana-1", "2025-03-08T10:00:00Z", "form_submit", email="ana.silva@example.com",
                 phone="+1 305 555 0122", sms_consent="subscribed")]
    checkouts += [ev("c-ana-1", "2025-04-05T19:45:00Z", "checkout", email="ana.silva@example.com",
                     phone="305-555-0188", attributes=json.dumps({"order": "#1020"}))]
    # rule 9: keyword with a known email, and a click-to-text banner, do not merge
    forms += [ev("f-kim-1", "2025-03-10T08:00:00Z", "form_submit", email="kim.nguyen@example.com",
                 email_consent="subscribed", attributes={"first_name": "Kim", "last_name": "Nguyen"})]
    sms += [ev("s-kim-1", "2025-03-11T08:10:00Z", "sms_keyword", email="kim.nguyen@example.com",
               phone="+1 512 555 0163", sms_consent="subscribed", source="keyword JOIN")]
    forms += [ev("f-raj-1", "2025-03-12T08:00:00Z", "form_submit", email="raj.mehta@example.com",
                 email_consent="subscribed")]
    sms += [ev("s-raj-1", "2025-03-13T20:00:00Z", "click_to_text", email="raj.mehta@example.com",
               phone="(512) 555-0190", sms_consent="subscribed", source="email banner")]
    # rule 10: a campaign SMS subscribe link creates a separate profile
    forms += [ev("f-zoe-1", "2025-03-14T09:00:00Z", "form_submit", email="zoe.martin@example.com",
                 email_consent="subscribed")]
    sms += [ev("s-zoe-1", "2025-03-15T17:00:00Z", "campaign_sms_link", email="zoe.martin@example.com",
               phone="+1 312 555 0155", sms_consent="subscribed", source="spring campaign")]
    # limit: a new email on a form with a phone that is already Maria's
    forms += [ev("f-limit-1", "2025-04-10T12:00:00Z", "form_submit", email="m.lopez.work@example.com",
                  phone="4155550134", source="contest form")]
    # a European customer with a national number and a country
    forms += [ev("f-claire-1", "2025-03-16T09:00:00Z", "form_submit", email="claire.dubois@example.fr",
                 phone="06 12 34 56 78", country="FR", sms_consent="subscribed")]
    # CRM import: external ids, one of which joins Maria's profile
    imports += [ev("i-crm-1", "2025-04-15T00:00:00Z", "import", external_id="CRM-0001",
                   email="maria.lopez@example.com", source="crm export"),
                ev("i-crm-2", "2025-04-15T00:00:00Z", "import", external_id="CRM-0002",
                   email="lee.chen@example.com", source="crm export"),
                ev("i-crm-3", "2025-04-15T00:00:00Z", "import", external_id="CRM-0003",
                   email="gone@example", source="crm export")]  # invalid email: reported
    # consent changes
    sms += [ev("s-stop-1", "2025-04-20T21:00:00Z", "consent_change", phone="646.555.0102",
               sms_consent="unsubscribed", source="STOP reply")]
    return {"forms": forms, "sms": sms, "checkouts": checkouts, "imports": imports}


def crowd(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Ordinary customers with messy phone formats, so the set looks like a real shop."""
    first = ["alex", "jo", "chris", "pat", "sam", "robin", "kai", "noor", "li", "ivy", "max",
             "ola", "tess", "ugo", "vera", "wes", "yan", "zed", "bea", "cal"]
    shapes = ["({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "'+1{a}{b}{c}", "{a}{b}{c}",
              "1-{a}-{b}-{c}"]
    out: dict[str, list[dict[str, Any]]] = {"forms": [], "checkouts": [], "sms": []}
    for i in range(60):
        name = f"{rng.choice(first)}.{i}"
        email = f"{name}@example.com"
        a, b, c = rng.choice(["415", "646", "212", "718", "305"]), "555", f"{200 + i:04d}"
        phone = rng.choice(shapes).format(a=a, b=b, c=c)
        day = 1 + i % 28
        out["forms"].append(ev(f"f-crowd-{i}", f"2025-05-{day:02d}T10:{i % 60:02d}:00Z",
                               "form_submit", email=email.upper() if i % 9 == 0 else email,
                               email_consent=rng.choice(["subscribed", "never_subscribed"])))
        if i % 2 == 0:
            out["checkouts"].append(ev(f"c-crowd-{i}", f"2025-06-{day:02d}T15:00:00Z", "checkout",
                                       email=email, phone=phone, sms_consent="subscribed",
                                       attributes=json.dumps({"order": f"#2{i:03d}"})))
        elif i % 3 == 0:
            out["sms"].append(ev(f"s-crowd-{i}", f"2025-06-{day:02d}T09:00:00Z", "sms_keyword",
                                 phone=phone, sms_consent="subscribed", source="keyword VIP"))
    return out


def main() -> None:
    """Write the four example files."""
    rng = random.Random(42)
    parts = stories()
    for name, events in crowd(rng).items():
        parts[name].extend(events)
    for name in ("forms", "sms"):
        with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for e in sorted(parts[name], key=lambda x: x["timestamp"]):
                fh.write(json.dumps(e) + "\n")
    for name in ("checkouts", "imports"):
        with (HERE / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
            w.writeheader()
            for e in sorted(parts[name], key=lambda x: x["timestamp"]):
                w.writerow(e)


if __name__ == "__main__":
    main()
