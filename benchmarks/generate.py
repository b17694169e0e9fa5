"""Synthetic canonical events for benchmarks: realistic type mix, messy phones, shared values.

    python benchmarks/generate.py --n 1000000 --out events.csv [--seed 7] [--namespaces]

About 1.5 events per person; email on ~71% of events, phone on ~50%; two shared values
(a shop's phone, a test email) that up to 300 and 100 people type in, at any N. An id on
~10%: an ``external_id``, or with ``--namespaces`` a vendor id in a namespace of its own, half
``klaviyo_id`` and half ``shopify_customer_id`` (the same events otherwise, so a person
may hold both: the two-namespace load of issue 11).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

AREA = [201, 202, 206, 212, 213, 214, 305, 310, 312, 323, 404, 415, 503, 512, 602, 617,
        646, 702, 713, 718, 805, 818, 917, 972]
TYPES = ["form_submit", "checkout", "import", "sms_keyword", "profile_update", "click_to_text",
         "campaign_sms_link", "consent_change"]
TYPE_P = [0.30, 0.25, 0.15, 0.10, 0.05, 0.05, 0.05, 0.05]
HEADER = ["event_id", "timestamp", "type", "email", "phone", "external_id", "country",
          "email_consent", "sms_consent", "source"]
NAMESPACES = ["klaviyo_id", "shopify_customer_id"]
CONSENT = ["subscribed", "unsubscribed", "never_subscribed", "", "", ""]
SHARED_MAX = 300  # events carrying the shop's phone (a third as many: the test email)


def _phone(area: int, exch: int, line: int, shape: int) -> str:
    digits = f"{area}{exch}{line:04d}"
    return [
        f"({area}) {exch}-{line:04d}", f"{area}.{exch}.{line:04d}", f"+1 {area} {exch} {line:04d}",
        f"'+1{digits}", digits, f"+1{digits}", f"1-{area}-{exch}-{line:04d}",
    ][shape]


def _at_most(mask: np.ndarray, most: int) -> np.ndarray:
    """``mask`` with only its first ``most`` true values kept."""
    return mask & (np.cumsum(mask) <= most)


def generate(n: int, out: Path, seed: int = 7, namespaces: bool = False) -> None:
    """Write ``n`` canonical events as CSV (with ``namespaces``, vendor ids for the
    external ids: see the module docstring)."""
    rng = np.random.default_rng(seed)
    people = max(1, int(n / 1.5))
    person = rng.integers(0, people, n)
    has_email = rng.random(n) < 0.71
    has_phone = rng.random(n) < 0.50
    none = ~has_email & ~has_phone
    has_email |= none & (rng.random(n) < 0.5)
    has_phone |= none & ~has_email
    has_ext = rng.random(n) < 0.10
    types = rng.choice(len(TYPES), n, p=TYPE_P)
    ts = 1_700_000_000 + rng.integers(0, 365 * 86400, n)
    area = np.array(AREA)[rng.integers(0, len(AREA), people)]
    exch = rng.integers(200, 999, people)
    line = rng.integers(0, 10000, people)
    shape = rng.integers(0, 7, n)
    # the shop's own phone typed at checkout, and a test email: as in real data, each by a
    # few hundred people at most, at any N (a share of every event made one connected group
    # that grew with N, which a shop that blocks its own values does not see)
    giant = _at_most(rng.random(n) < 0.003, SHARED_MAX)
    test_email = _at_most(rng.random(n) < 0.001, SHARED_MAX // 3)
    second_phone = rng.random(n) < 0.03  # people who change number
    consent_e = rng.integers(0, len(CONSENT), n)
    consent_s = rng.integers(0, len(CONSENT), n)
    klaviyo = rng.random(n) < 0.5  # drawn in both modes: the other columns stay the same
    header = HEADER + NAMESPACES if namespaces else HEADER
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(n):
            p = int(person[i])
            email = ""
            if has_email[i]:
                email = "test@example.com" if test_email[i] else f"user{p}@example.com"
                if i % 7 == 0:
                    email = email.upper()
            phone = ""
            if has_phone[i]:
                if giant[i]:
                    phone = "(212) 555-0100"
                else:
                    ln = int(line[p]) ^ (1 if second_phone[i] else 0)
                    phone = _phone(int(area[p]), int(exch[p]), ln, int(shape[i]))
            ext = f"cust-{p}" if has_ext[i] and not namespaces else ""
            row = [f"ev{i:08d}", f"{int(ts[i])}", TYPES[int(types[i])], email, phone, ext,
                   "", CONSENT[int(consent_e[i])] if email else "",
                   CONSENT[int(consent_s[i])] if phone else "", "bench"]
            if namespaces:
                vendor = has_ext[i] and klaviyo[i], has_ext[i] and not klaviyo[i]
                row += [f"01J{p:023d}" if vendor[0] else "",
                        f"{7_700_000_000_000 + p}" if vendor[1] else ""]
            w.writerow(row)
    # ISO timestamps are written by a second, vectorised pass: far faster than strftime per row
    _iso_pass(out, header)


def _iso_pass(path: Path, header: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header}, strings_can_be_null=False))
    secs = pc.cast(table.column("timestamp"), pa.int64())
    iso = pc.strftime(pc.cast(pc.multiply(secs, 1_000_000), pa.timestamp("us", tz="UTC")),
                      format="%Y-%m-%dT%H:%M:%SZ")
    table = table.set_column(header.index("timestamp"), "timestamp", iso)
    pacsv.write_csv(table, path)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--namespaces", action="store_true",
                    help="vendor ids (klaviyo_id, shopify_customer_id) for the external ids")
    args = ap.parse_args()
    generate(args.n, args.out, args.seed, args.namespaces)


if __name__ == "__main__":
    main()
