"""``klaviyo-profiles``: Klaviyo's profile / list / segment export CSV, one ``import`` per row.

The user picks the exported columns, so every column is found by name (with aliases),
never by position; only an identifier column is required.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.arrays import as_array
from identigraph.errors import UsageError
from identigraph.loaders._columns import (
    CONSENT_VALUES,
    country_code,
    find_column,
    has_any,
    is_spreadsheet_number,
    iso_times,
    json_present,
    map_array,
    row_digests,
    spreadsheet_numbers,
    trimmed,
    value_mapper,
)
from identigraph.loaders._csvstream import Slice, csv_slices
from identigraph.loaders._exportbatch import Mapped
from identigraph.loaders.batch import RawBatch, ReadOptions
from identigraph.loaders.csvfile import read_header

EMAIL = ("Email", "Email Address", "$email")
PHONE = ("Phone Number", "Phone", "$phone_number")
KLAVIYO_ID = ("Klaviyo ID", "Profile ID", "id")
#: the profile's id in the shop's or CRM's own system (Klaviyo's ``$id``, "External ID")
EXTERNAL_ID = ("External ID", "$id")
EMAIL_CONSENT = ("Email Marketing Consent", "Email Consent", "Accepts Marketing")
SMS_CONSENT = ("SMS Consent", "SMS Marketing Consent")
COUNTRY = ("Country", "$country")
CREATED = ("Profile Created On",)
ADDED = ("Date Added",)
SOURCE = ("Source",)
FIRST = ("First Name", "$first_name")
LAST = ("Last Name", "$last_name")
#: columns only Klaviyo's export has (one of them identifies the format)
SIGNATURE = ("Klaviyo ID", "Profile ID", "Profile Created On", "Email Marketing Consent",
             "SMS Marketing Consent")
KLAVIYO_ID_LENGTHS = (26, 6)


@dataclass(frozen=True, slots=True)
class _Plan:
    """The header's columns for each canonical field (None: not in this export)."""

    email: str | None
    phone: str | None
    klaviyo_id: str | None
    email_consent: str | None
    sms_consent: str | None
    country: str | None
    created: str | None
    added: str | None
    source: str | None
    first: str | None
    last: str | None
    external_id: str | None

    def columns(self) -> list[str]:
        """Every column to read."""
        return [c for c in (self.email, self.phone, self.klaviyo_id, self.email_consent,
                            self.sms_consent, self.country, self.created, self.added,
                            self.source, self.first, self.last, self.external_id)
                if c is not None]


def _plan(header: list[str], path: Path) -> _Plan:
    plan = _Plan(*(find_column(header, a) for a in (
        EMAIL, PHONE, KLAVIYO_ID, EMAIL_CONSENT, SMS_CONSENT, COUNTRY, CREATED, ADDED,
        SOURCE, FIRST, LAST, EXTERNAL_ID)))
    if (plan.email is None and plan.phone is None and plan.klaviyo_id is None
            and plan.external_id is None):
        raise UsageError(f"{path}: no 'Email', 'Phone Number', 'Klaviyo ID' or 'External ID' "
                         "column for format klaviyo-profiles")
    return plan


def _klaviyo_id_problem(value: str) -> str | None:
    """Why a Klaviyo ID cell is not one (None: it is, or the canonical check decides)."""
    if is_spreadsheet_number(value):
        return None  # the canonical check reports spreadsheet-mangled ids
    if len(value) in KLAVIYO_ID_LENGTHS and value.isalnum():
        return None
    return "not a Klaviyo ID (26 or 6 letters and digits)"


class KlaviyoProfiles:
    """Klaviyo profile exports: each row is an ``import`` of that profile's identifiers."""

    name = "klaviyo-profiles"

    def matches(self, header: list[str]) -> bool:
        """A Klaviyo-only column and an identifier column."""
        return bool(has_any(header, SIGNATURE)
                    and has_any(header, EMAIL + PHONE + KLAVIYO_ID + EXTERNAL_ID))

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw ``import`` events, one per row."""
        plan = _plan(read_header(path), path)
        for part in csv_slices(path, plan.columns(), options.batch_rows):
            yield self._map(path, plan, part, options).batch()

    def _map(self, path: Path, plan: _Plan, part: Slice, options: ReadOptions) -> Mapped:
        n = part.table.num_rows
        nulls = pa.nulls(n, pa.string())

        def col(name: str | None) -> pa.Array:
            return nulls if name is None else as_array(part.column(name))

        def times(name: str | None) -> pa.Array:
            return nulls if name is None else iso_times(part.column(name))

        m = Mapped(str(path), self.name, part.lines, {}, {}, rejected=part.ragged)
        timestamp = pc.fill_null(pc.coalesce(times(plan.created), times(plan.added)),
                                 options.undated_time)
        consent = value_mapper(CONSENT_VALUES)
        email, phone = col(plan.email), col(plan.phone)
        kid = self._klaviyo_ids(m, plan, trimmed(col(plan.klaviyo_id)))
        email_c = map_array(col(plan.email_consent), consent)
        sms_c = map_array(col(plan.sms_consent), consent)
        country = map_array(col(plan.country), country_code)
        source = col(plan.source)
        attributes = json_present([("first_name", col(plan.first)),
                                   ("last_name", col(plan.last))])
        external = col(plan.external_id)
        digest = row_digests([timestamp, email, phone, country, email_c, sms_c, source,
                              attributes] + ([external] if plan.external_id else []))
        named = pc.and_(kid.is_valid(), pc.invert(spreadsheet_numbers(kid)))
        event_id = pc.if_else(named, pc.binary_join_element_wise(
            f"{self.name}:", kid, ":", digest, ""), nulls)
        m.cols = {
            "event_id": event_id, "timestamp": timestamp,
            "type": pa.repeat(pa.scalar("import"), n), "email": email, "phone": phone,
            "klaviyo_id": kid, "external_id": external, "country": country,
            "email_consent": email_c,
            "sms_consent": sms_c, "source": source, "attributes": attributes,
        }
        m.checked = frozenset({"attributes"})  # JSON objects made by json_present
        m.source_columns = {k: v for k, v in {
            "email": plan.email, "phone": plan.phone, "klaviyo_id": plan.klaviyo_id,
            "external_id": plan.external_id,
            "email_consent": plan.email_consent, "sms_consent": plan.sms_consent,
            "country": plan.country, "source": plan.source,
            "timestamp": plan.created or plan.added,
            "attributes": "First Name/Last Name",
        }.items() if v is not None}
        m.drop_mangled_phones()
        return m

    @staticmethod
    def _klaviyo_ids(m: Mapped, plan: _Plan, kid: pa.Array) -> pa.Array:
        """Klaviyo IDs, with the cells that are not one reported and dropped."""
        problems = map_array(kid, lambda v: None if v is None else _klaviyo_id_problem(v))
        if problems.null_count == len(problems):
            return kid
        rows = np.flatnonzero(problems.is_valid().to_numpy(zero_copy_only=False))
        take = pa.array(rows)
        for i, v, why in zip(rows.tolist(), kid.take(take).to_pylist(),
                             problems.take(take).to_pylist(), strict=True):
            m.warn(i, plan.klaviyo_id or "", v, why)
        return pc.if_else(problems.is_valid(), pa.scalar(None, pa.string()), kid)
