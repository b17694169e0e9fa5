"""Benchmark: load+resolve real-shaped exports into a fresh embedded store.

Generates (once, cached in ``--data-dir``) a Shopify order export of 1,000,000 line-item
rows (~1.3 line items per order, messy phones, 79 columns) and an SMS subscriber export
of 1,000,000 rows, then loads each in a child process through ``identigraph.api.load``
and prints wall time, rows/s, peak memory (the child's ru_maxrss) and where the time
went (reading and validating, whose threads overlap, with the validation's own CPU; the
replay and the store's writes), wall and CPU time:
on a busy machine the CPU figures are the steadier ones.

    python benchmarks/bench_exports.py [--rows 1000000] [--data-dir /tmp/identigraph-bench]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_SECONDS = 15.0
TARGET_MB = 1.5e9 / 2**20  # 1.5 GB (decimal) = 1,430 MiB, as bench_core.py reads it

ORDER_HEADER_LINE = (  # the header line, as Shopify writes it
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,"
    "Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
)
ORDER_HEADER = ORDER_HEADER_LINE.split(",")
SMS_HEADER = ["Phone Number", "Email", "First Name", "Last Name", "Subscribed At",
              "Opt-in Source", "Status"]
AREAS = (212, 213, 303, 312, 404, 415, 503, 512, 617, 646, 702, 713, 718, 805, 917)
SOURCES = (("Keyword (SPRING)", 20), ("Desktop Popup", 25), ("Mobile Popup", 18),
           ("Klaviyo Form", 10), ("Shopify Checkout Customer Consent", 15),
           ("Manual Upload", 5), ("Keyword API", 5), ("CODE", 2))
PRODUCTS = ("Crew Tee - Black / S", "Crew Tee - White / M", "Mug", "Socks", "Cap", "Print")


def _us_phone(rng: random.Random) -> tuple[str, str]:
    """A US number in one of the shapes real exports carry, and its country code."""
    a, x, n = rng.choice(AREAS), rng.randint(200, 999), rng.randint(0, 9999)
    shape = rng.random()
    if shape < 0.35:
        return f"'+1{a}{x}{n:04d}", "US"
    if shape < 0.55:
        return f"({a}) {x}-{n:04d}", "US"
    if shape < 0.70:
        return f"{a}.{x}.{n:04d}", "US"
    if shape < 0.85:
        return f"+1 {a}-{x}-{n:04d}", "US"
    if shape < 0.97:
        return f"{a}{x}{n:04d}", "US"
    return "1.41555E+10", "US"  # Excel-mangled


def _phone(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.85:
        return _us_phone(rng)
    if r < 0.93:
        n = rng.randint(0, 999999)
        return (f"07911 {n:06d}", "GB") if rng.random() < 0.5 else (f"+44 7911 {n:06d}", "GB")
    n = rng.randint(0, 99999999)
    return (f"06 {n:08d}", "NL") if rng.random() < 0.5 else (f"+31 6 {n:08d}", "NL")


def make_orders(path: Path, rows: int, seed: int = 7) -> None:
    """A Shopify order export with ``rows`` line-item rows."""
    rng = random.Random(seed)
    col = {h: i for i, h in enumerate(ORDER_HEADER)}
    width = len(ORDER_HEADER)
    customers = max(1, rows // 2)
    written, order = 0, 1000
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ORDER_HEADER)
        while written < rows:
            order += 1
            name = f"#{order}"
            cust = rng.randrange(customers)
            offset = rng.choice(("-0400", "-0500", "+0000", "+0100"))
            created = (f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                       f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                       f"{rng.randint(0, 59):02d} {offset}")
            row = [""] * width
            phone, country = _phone(random.Random(cust))
            row[col["Name"]] = name
            if rng.random() < 0.92:
                row[col["Email"]] = f"customer{cust}@example.com"
            row[col["Financial Status"]] = "paid"
            row[col["Paid at"]] = created
            row[col["Accepts Marketing"]] = "yes" if rng.random() < 0.4 else "no"
            row[col["Currency"]] = "USD"
            row[col["Subtotal"]] = row[col["Total"]] = f"{rng.randint(5, 300)}.00"
            row[col["Created at"]] = created
            row[col["Billing Name"]] = row[col["Shipping Name"]] = f"Customer {cust}"
            row[col["Billing Address1"]] = f"{rng.randint(1, 999)} Main St"
            row[col["Billing City"]] = "Springfield"
            row[col["Billing Zip"]] = f"'{rng.randint(10000, 99999)}"
            row[col["Billing Country"]] = row[col["Shipping Country"]] = country
            p = rng.random()
            if p < 0.45:
                row[col["Billing Phone"]] = phone
            elif p < 0.65:
                row[col["Shipping Phone"]] = phone
            elif p < 0.85:
                row[col["Phone"]] = phone
            row[col["Id"]] = str(5_600_000_000_000 + order)
            row[col["Source"]] = "web"
            row[col["Notes"]] = "Leave at the door,\nplease" if rng.random() < 0.02 else ""
            items = 1
            while rng.random() < 0.23 and items < 8:  # ~1.3 line items per order
                items += 1
            for k in range(items):
                if written >= rows:
                    break
                line = row if k == 0 else [""] * width
                line[col["Name"]] = name
                line[col["Lineitem quantity"]] = str(rng.randint(1, 3))
                line[col["Lineitem name"]] = rng.choice(PRODUCTS)
                line[col["Lineitem price"]] = f"{rng.randint(5, 60)}.00"
                w.writerow(line)
                written += 1


def make_sms(path: Path, rows: int, seed: int = 11) -> None:
    """An SMS platform subscriber export with ``rows`` subscribers."""
    rng = random.Random(seed)
    names, weights = zip(*SOURCES, strict=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(SMS_HEADER)
        for i in range(rows):
            phone, _country = _us_phone(rng)
            email = f"sub{rng.randrange(rows)}@example.com" if rng.random() < 0.4 else ""
            when = (f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                    f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}")
            source = rng.choices(names, weights)[0]
            status = "Subscribed" if rng.random() < 0.9 else "Unsubscribed"
            w.writerow([phone, email, f"Sub{i}", "", when, source, status])


def _timed(timers: dict[str, list[float]], name: str, fn: Callable[..., Any],
           clock: Callable[[], float] = time.process_time) -> Callable[..., Any]:
    """``fn`` adding its wall and ``clock`` seconds to ``timers[name]``."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), clock()
        try:
            return fn(*args, **kwargs)
        finally:
            timers[name][0] += time.perf_counter() - wall
            timers[name][1] += clock() - cpu
    return wrapper


def child(path: str, store: str) -> None:
    """Load one file into a fresh store; print JSON figures (run in its own process)."""
    import identigraph.api as api
    from identigraph.graph.embedded.store import EmbeddedStore
    from identigraph.loaders.canonical import Canonicaliser

    timers: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    # validation runs on two threads beside the reader (core/readahead.py): its CPU is each
    # thread's own (a process clock would count the other threads too); the replay and the
    # writes run inside write, on the main thread and DuckDB's
    patches: tuple[tuple[type, str, str, Callable[[], float]], ...] = (
        (Canonicaliser, "validate", "validate", time.thread_time),
        (EmbeddedStore, "write", "resolve+write", time.process_time),
        (EmbeddedStore, "write_delta", "resolve+write", time.process_time))
    for owner, name, label, clock in patches:
        setattr(owner, name, _timed(timers, label, getattr(owner, name), clock))
    wall, cpu = time.perf_counter(), time.process_time()
    st = EmbeddedStore(store)
    report = api.load(st, [path])
    st.close()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    write_wall, write_cpu = timers["resolve+write"]
    # reading overlaps validation: wall time only for the two together
    validate_cpu = timers["validate"][1]
    stages = {"read+validate": [wall - write_wall, cpu - write_cpu],
              "  of which validation (its threads' CPU)": [float("nan"), validate_cpu],
              "  of which reading and mapping, the rest": [
                  float("nan"), cpu - write_cpu - validate_cpu],
              "resolve+write": [write_wall, write_cpu]}
    print(json.dumps({
        "seconds": wall, "cpu_seconds": cpu, "summary": report.as_dict(), "stages": stages,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_average": list(os.getloadavg()),
    }))


def run(name: str, path: Path, workdir: Path) -> bool:
    """Load one export in a child process and print its figures; True when on target."""
    store = workdir / f"{name}.db"
    for suffix in ("", ".wal"):  # DuckDB's file and its log
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    out = subprocess.run([sys.executable, __file__, "--child", str(path), str(store)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(f"{name}: child failed:\n{out.stderr[-3000:]}")
        return False
    data = json.loads(out.stdout.strip().splitlines()[-1])
    s = data["summary"]
    secs, mb = data["seconds"], data["max_rss_mb"]
    ok = bool(secs < TARGET_SECONDS and mb < TARGET_MB)
    print(f"{name}: {s['rows_read']:,} rows in {secs:.1f} s = {s['rows_read'] / secs:,.0f} rows/s,"
          f" peak {mb:,.0f} MB  [{'ok' if ok else 'OVER TARGET'}: "
          f"< {TARGET_SECONDS:.0f} s, < {TARGET_MB:,.0f} MB]")
    print(f"  {s['events_added']:,} events; loaded {s['loaded']:,}, with warnings "
          f"{s['loaded_with_warnings']:,}, rejected {s['rejected']:,}, duplicates "
          f"{s['duplicates']:,}")
    for stage, (w, c) in data["stages"].items():
        shown = "" if w != w else f"{w:.1f} s wall, "  # NaN: threads overlap, no wall
        print(f"  {stage}: {shown}{c:.1f} s CPU")
    print(f"  CPU {data['cpu_seconds']:.1f} s in all; machine load average "
          f"{data['load_average'][0]:.1f} on {os.cpu_count()} cores")
    return ok


def ensure(path: Path, rows: int, make: Callable[[Path, int], None]) -> Path:
    """``path``, first made with ``make(tmp, rows)`` when missing (renamed into place once
    complete, so an interrupted run leaves no half-written file behind)."""
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        make(tmp, rows)
        tmp.rename(path)
        print(f"generated {path} ({path.stat().st_size / 2**20:,.0f} MB) in "
              f"{time.perf_counter() - t:.1f} s")
    return path


def main() -> None:
    """Generate the exports if needed and benchmark each."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data-dir", type=Path,
                    default=Path(tempfile.gettempdir()) / "identigraph-bench")
    ap.add_argument("--only", choices=("orders", "sms"))
    ap.add_argument("--child", nargs=2, metavar=("FILE", "STORE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    args.data_dir.mkdir(parents=True, exist_ok=True)
    files = {"shopify-orders": (args.data_dir / f"orders_{args.rows}.csv", make_orders),
             "sms-subscribers": (args.data_dir / f"sms_{args.rows}.csv", make_sms)}
    ok = True
    for name, (path, make) in files.items():
        if args.only and args.only not in name:
            continue
        ok = run(name, ensure(path, args.rows, make), args.data_dir) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
