"""``sms-subscribers``: an SMS platform's subscriber export (Attentive, Postscript, Yotpo SMS…).

Each row is one opt-in; its opt-in source decides the event type (keyword opt-ins never
merge, forms merge, checkouts attach). An unknown source is rejected with its value
unless the user's source map (``--source-map``) names its event type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from identigraph.arrays import as_array
from identigraph.errors import UsageError
from identigraph.loaders._columns import (
    STATUS_VALUES,
    country_code,
    find_column,
    has_any,
    iso_times,
    map_array,
    norm_name,
    value_mapper,
)
from identigraph.loaders._csvstream import Slice, csv_slices
from identigraph.loaders._exportbatch import Mapped
from identigraph.loaders.batch import RawBatch, ReadOptions
from identigraph.loaders.csvfile import read_header

PHONE = ("Phone", "Phone Number", "phone_number", "Mobile", "Mobile Number", "Mobile Phone",
         "Cell Phone", "SMS Phone", "Subscriber Phone")
EMAIL = ("Email", "Email Address", "email_address")
TIME = ("Subscribed At", "Opt-in Date", "Opt In Date", "Opted In At", "Opt-in Time",
        "Subscription Date", "Subscribed Date", "Date Subscribed", "Join Date", "Joined At",
        "Signup Date", "Sign Up Date", "created_at", "Created", "Created Date")
SOURCE = ("Source", "Opt-in Source", "Opt In Source", "join_source", "Join Source",
          "Subscription Source", "Subscriber Source", "Signup Source", "Sign Up Source",
          "opt_in_source", "Acquisition Source", "Opt-in Method")
COUNTRY = ("Country", "Country Code", "country_code")
STATUS = ("Status", "Subscription Status", "Subscriber Status", "SMS Status", "SMS Consent")

#: Opt-in sources (compared case- and punctuation-insensitively) and their event types.
SOURCE_TYPES: dict[str, str] = {
    # keyword / text-to-join: never merges
    "code": "sms_keyword", "keyword": "sms_keyword", "keyword api": "sms_keyword",
    "keyword form": "sms_keyword", "text to join": "sms_keyword",
    "text2join": "sms_keyword", "sms keyword": "sms_keyword", "join keyword": "sms_keyword",
    # click-to-text banners and campaign subscribe links: never merge
    "click to text": "click_to_text", "click2text": "click_to_text",
    "campaign link": "campaign_sms_link", "campaign sms link": "campaign_sms_link",
    # popups and forms: merge
    "direct": "form_submit", "double opt in": "form_submit", "desktop popup": "form_submit",
    "mobile popup": "form_submit", "popup": "form_submit", "klaviyo form": "form_submit",
    "welcome popup": "form_submit", "form": "form_submit", "signup form": "form_submit",
    "sign up form": "form_submit", "embedded form": "form_submit",
    "landing page": "form_submit", "subscription form": "form_submit",
    # checkouts: attach
    "checkout": "checkout", "shopify checkout": "checkout",
    "shopify checkout consent": "checkout", "shopify checkout customer consent": "checkout",
    "recharge checkout": "checkout", "carthook checkout": "checkout",
    # manual uploads and API: import
    "manual upload": "import", "manual": "import", "upload": "import", "import": "import",
    "list import": "import", "list upload": "import", "csv upload": "import",
    "bulk upload": "import", "api": "import",
}

#: The user's catch-all entry in a source map.
ANY_SOURCE = "*"


def read_source_map(path: Path) -> dict[str, str]:
    """A YAML file of ``source: event type`` (``--source-map``); one-line errors."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise UsageError(f"cannot read source map {path}: {why}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"source map {path}: expected a mapping of source: type")
    return {str(k): str(v) for k, v in data.items()}


def source_resolver(source_map: dict[str, str]) -> Callable[[str | None], str | None]:
    """Opt-in source text -> event type (None: unknown); the user's map wins."""
    user = {norm_name(k): v.strip() for k, v in source_map.items() if k.strip() != ANY_SOURCE}
    fallback = source_map.get(ANY_SOURCE)

    def resolve(raw: str | None) -> str | None:
        key = norm_name(raw or "")
        if key in user:
            return user[key]
        if key:
            if key in SOURCE_TYPES:
                return SOURCE_TYPES[key]
            if key.startswith("keyword "):  # Keyword (SPRING), Keyword - Form (BOOTCAMP)
                return "sms_keyword"
            if key.endswith(" checkout"):  # CartHook / Bold / … Checkout
                return "checkout"
            if key.endswith((" popup", " form")):
                return "form_submit"
        return fallback.strip() if fallback is not None else None

    return resolve


@dataclass(frozen=True, slots=True)
class _Plan:
    phone: str
    email: str | None
    time: str | None
    source: str | None
    country: str | None
    status: str | None


class SmsSubscribers:
    """SMS subscriber exports: one opt-in event per subscriber row."""

    name = "sms-subscribers"

    def matches(self, header: list[str]) -> bool:
        """A phone column with an opt-in source or an opt-in time column."""
        return bool(has_any(header, PHONE)
                    and (has_any(header, SOURCE) or has_any(header, TIME)))

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw opt-in events, one per subscriber row."""
        header = read_header(path)
        phone = find_column(header, PHONE)
        if phone is None:
            raise UsageError(f"{path}: no phone column ({', '.join(PHONE[:3])}) for format "
                             f"{self.name}")
        plan = _Plan(phone, find_column(header, EMAIL), find_column(header, TIME),
                     find_column(header, SOURCE), find_column(header, COUNTRY),
                     find_column(header, STATUS))
        if plan.source is None and ANY_SOURCE not in options.source_map:
            raise UsageError(
                f"{path}: no opt-in source column ({', '.join(SOURCE[:3])}); give every row "
                f"an event type with a source map entry '{ANY_SOURCE}: TYPE' (--source-map)")
        wanted = [c for c in (plan.phone, plan.email, plan.time, plan.source, plan.country,
                              plan.status) if c is not None]
        resolve = source_resolver(options.source_map)
        for part in csv_slices(path, wanted, options.batch_rows):
            yield self._map(path, plan, part, options, resolve).batch()

    def _map(self, path: Path, plan: _Plan, part: Slice, options: ReadOptions,
             resolve: Callable[[str | None], str | None]) -> Mapped:
        n = part.table.num_rows
        m = Mapped(str(path), self.name, part.lines, {}, {}, rejected=part.ragged)
        nulls = pa.nulls(n, pa.string())

        def col(name: str | None) -> pa.Array:
            return nulls if name is None else as_array(part.column(name))

        if plan.time is None:
            timestamp = pa.repeat(pa.scalar(options.undated_time), n)
        else:
            timestamp = pc.fill_null(iso_times(part.column(plan.time)), options.undated_time)
        phone = m.drop_mangled(as_array(part.column(plan.phone)), plan.phone)
        sources = col(plan.source)
        types = map_array(sources, resolve)
        status = value_mapper(STATUS_VALUES)
        sms_c = map_array(col(plan.status), lambda v: status(v) if v is not None
                          else "subscribed")
        if types.null_count:
            source_list = sources.to_pylist()
            m.reject = [None if t is not None else _unknown(s)
                        for t, s in zip(types.to_pylist(), source_list, strict=True)]
            m.reject_column = plan.source or "Source"
            m.reject_values = source_list
        m.cols = {
            "timestamp": timestamp, "type": types, "phone": phone,
            "email": col(plan.email), "country": map_array(col(plan.country), country_code),
            "sms_consent": sms_c, "source": sources,
        }
        m.source_columns = {k: v for k, v in {
            "phone": plan.phone, "email": plan.email, "timestamp": plan.time,
            "type": plan.source, "source": plan.source, "country": plan.country,
            "sms_consent": plan.status,
        }.items() if v}
        return m


def _unknown(source: str | None) -> str:
    if source is None or not source.strip():
        return ("no opt-in source: give it an event type with a source map entry "
                f"'{ANY_SOURCE}: TYPE' (--source-map)")
    return (f"unknown opt-in source {source.strip()!r}: map it to an event type with "
            "--source-map (YAML like {'My Source': form_submit})")
