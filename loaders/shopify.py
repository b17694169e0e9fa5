"""Shopify exports: ``shopify-customers`` and ``shopify-orders``.

A customer row is one ``import``; an order is one ``checkout``, whatever its number of
line-item rows.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    iso_times,
    json_objects,
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
from identigraph.loaders.report import Problem

ACCEPTS_EMAIL = ("Accepts Email Marketing", "Accepts Marketing")
ACCEPTS_SMS = ("Accepts SMS Marketing",)
LINE_ITEMS = ("Lineitem name", "Lineitem quantity", "Lineitem sku")


def _cols(header: list[str], **aliases: tuple[str, ...]) -> dict[str, str | None]:
    return {field: find_column(header, names) for field, names in aliases.items()}


def _label(columns: list[str | None], used: set[int]) -> str:
    """Source column name(s) a coalesced field came from in this batch."""
    names = [c for j, c in enumerate(columns) if c is not None and j in used]
    return "/".join(names) if names else "/".join(c for c in columns if c is not None)


def _coalesce_tracked(columns: list[pa.Array]) -> tuple[pa.Array, set[int]]:
    """Per row the first non-empty value, and which of the columns gave one."""
    taken = np.zeros(len(columns[0]), dtype=bool)
    used: set[int] = set()
    for j, col in enumerate(columns):
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        if (valid & ~taken).any():
            used.add(j)
        taken |= valid
    return pc.coalesce(*columns), used


# -- customers --------------------------------------------------------------------------

_CUSTOMER_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": ("Customer ID",),
    "email": ("Email",),
    "phone": ("Phone",),
    "address_phone": ("Default Address Phone",),
    "country_code": ("Default Address Country Code", "Country Code"),
    "country_name": ("Default Address Country", "Country"),
    "email_consent": ACCEPTS_EMAIL,
    "sms_consent": ACCEPTS_SMS,
    "first": ("First Name",),
    "last": ("Last Name",),
}


class ShopifyCustomers:
    """Shopify's customer export, every generation; rows get ``options.undated_time``."""

    name = "shopify-customers"

    def matches(self, header: list[str]) -> bool:
        """Shopify's marketing column with its customer totals, and no line items."""
        return bool(has_any(header, ACCEPTS_EMAIL)
                    and has_any(header, ("Total Spent", "Total Orders", "Tax Exempt"))
                    and not has_any(header, LINE_ITEMS))

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw ``import`` events, one per customer row."""
        plan = _cols(read_header(path), **_CUSTOMER_COLUMNS)
        if plan["email"] is None and plan["phone"] is None and plan["customer_id"] is None:
            raise UsageError(f"{path}: no 'Email', 'Phone' or 'Customer ID' column for "
                             f"format {self.name}")
        wanted = [c for c in plan.values() if c is not None]
        for part in csv_slices(path, wanted, options.batch_rows):
            yield self._map(path, plan, part, options).batch()

    def _map(self, path: Path, plan: dict[str, str | None], part: Slice,
             options: ReadOptions) -> Mapped:
        n = part.table.num_rows
        nulls = pa.nulls(n, pa.string())

        def col(field: str) -> pa.Array:
            name = plan[field]
            return nulls if name is None else as_array(part.column(name))

        consent = value_mapper(CONSENT_VALUES)
        cid = trimmed(col("customer_id"))
        email = col("email")
        phone, phone_used = _coalesce_tracked([col("phone"), col("address_phone")])
        country = map_array(pc.coalesce(col("country_code"), col("country_name")),
                            country_code)
        email_c = map_array(col("email_consent"), consent)
        sms_c = map_array(col("sms_consent"), consent)
        digest = row_digests([cid, email, phone, country, email_c, sms_c])
        named = pc.and_(cid.is_valid(), pc.invert(spreadsheet_numbers(cid)))
        event_id = pc.if_else(
            named, pc.binary_join_element_wise(f"{self.name}:", cid, ":", digest, ""),
            pc.binary_join_element_wise(f"{self.name}:", digest, ""))
        m = Mapped(str(path), self.name, part.lines, {}, {}, rejected=part.ragged)
        m.cols = {
            "event_id": event_id, "timestamp": pa.repeat(pa.scalar(options.undated_time), n),
            "type": pa.repeat(pa.scalar("import"), n), "email": email, "phone": phone,
            "shopify_customer_id": cid, "country": country, "email_consent": email_c,
            "sms_consent": sms_c, "source": pa.repeat(pa.scalar("shopify customer export"), n),
            "attributes": json_present([("first_name", col("first")),
                                        ("last_name", col("last"))]),
        }
        m.checked = frozenset({"attributes"})  # JSON objects made by json_present
        m.source_columns = {k: v for k, v in {
            "shopify_customer_id": plan["customer_id"], "email": plan["email"],
            "phone": _label([plan["phone"], plan["address_phone"]], phone_used),
            "country": plan["country_code"] or plan["country_name"],
            "email_consent": plan["email_consent"], "sms_consent": plan["sms_consent"],
            "timestamp": "--undated-time",
        }.items() if v}
        m.made_up = frozenset({"timestamp"})  # --undated-time: a reload may give another
        m.drop_mangled_phones()
        return m


# -- orders -----------------------------------------------------------------------------

_ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Name",),
    "created": ("Created at",),
    "email": ("Email",),
    "phone": ("Phone",),
    "billing_phone": ("Billing Phone",),
    "shipping_phone": ("Shipping Phone",),
    "billing_country": ("Billing Country",),
    "shipping_country": ("Shipping Country",),
    "email_consent": ACCEPTS_EMAIL,
    "sms_consent": ACCEPTS_SMS,
    "id": ("Id",),
    "customer_id": ("Customer ID", "Customer Id"),  # in some exports (apps, Matrixify)
    "total": ("Total",),
    "currency": ("Currency",),
}


def _group_starts(names: pa.Array) -> np.ndarray:
    """Rows where an order starts: its ``Name`` differs from the row above (or is empty)."""
    n = len(names)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    differs = pc.fill_null(pc.not_equal(names.slice(1), names.slice(0, n - 1)), True)
    flags = np.concatenate([[True], differs.to_numpy(zero_copy_only=False)])
    return np.flatnonzero(flags)


def _first_of_groups(col: pa.Array, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """Per order, the first non-empty value of its rows (line items repeat or omit it)."""
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    if valid[starts].all():
        return col.take(pa.array(starts))
    idx = np.where(valid, np.arange(len(col)), len(col))
    following = np.minimum.accumulate(idx[::-1])[::-1]  # next valid row at or after each
    j = following[starts]
    return col.take(pa.array(np.where(j < ends, j, starts)))


class ShopifyOrders:
    """Shopify's order export: one ``checkout`` per order ``Name``, extra line items folded."""

    name = "shopify-orders"

    def matches(self, header: list[str]) -> bool:
        """``Name`` and ``Created at`` with line-item or payment columns."""
        return bool(has_any(header, ("Name",)) and has_any(header, ("Created at",))
                    and has_any(header, (*LINE_ITEMS, "Financial Status")))

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw ``checkout`` events, one per order."""
        plan = _cols(read_header(path), **_ORDER_COLUMNS)
        for required in ("name", "created"):
            if plan[required] is None:
                raise UsageError(f"{path}: no {_ORDER_COLUMNS[required][0]!r} column for "
                                 f"format {self.name}")
        wanted = [c for c in plan.values() if c is not None]
        name_col = plan["name"] or ""
        carry: tuple[pa.Table, list[int]] | None = None
        for part in csv_slices(path, wanted, options.batch_rows):
            table, lines = part.table, part.lines
            if carry is not None:
                table = pa.concat_tables([carry[0], table])
                lines = carry[1] + lines
            starts = _group_starts(as_array(table.column(name_col)))
            last = int(starts[-1]) if len(starts) else 0
            # the last order may continue in the next slice: keep it for then
            if last or part.ragged:
                yield self._map(path, plan, table.slice(0, last), lines[:last], starts[:-1],
                                part.ragged).batch()
            carry = (table.slice(last), lines[last:]) if len(starts) else None
        if carry is not None:
            table = carry[0]
            starts = _group_starts(as_array(table.column(name_col)))
            yield self._map(path, plan, table, carry[1], starts, []).batch()

    def _map(self, path: Path, plan: dict[str, str | None], table: pa.Table,
             lines: list[int], starts: np.ndarray, ragged: list[Problem]) -> Mapped:
        n = table.num_rows
        groups = len(starts)
        ends = np.append(starts[1:], n).astype(np.int64)
        null = pa.nulls(groups, pa.string())

        def first(field: str) -> pa.Array:
            name = plan[field]
            if name is None or groups == 0:
                return null
            return _first_of_groups(as_array(table.column(name)), starts, ends)

        m = Mapped(str(path), self.name, np.asarray(lines, dtype=np.int64)[starts].tolist(),
                   {}, {}, rejected=ragged, folded=n - groups)
        name, total, currency = first("name"), first("total"), first("currency")
        created = iso_times(first("created"))
        phone, used = _coalesce_tracked(
            [first("phone"), first("billing_phone"), first("shipping_phone")])
        phone_label = _label([plan["phone"], plan["billing_phone"], plan["shipping_phone"]],
                             used)
        phone = m.drop_mangled(phone, phone_label)
        order_id = pc.utf8_trim(first("id"), characters=" '")
        order_id = pc.if_else(pc.equal(order_id, ""), pa.scalar(None, pa.string()), order_id)
        order_id = m.drop_mangled(order_id, plan["id"] or "Id", "order id",
                                  "; the order Name makes the event id")
        prefix = f"{self.name}:"
        event_id = pc.coalesce(
            pc.binary_join_element_wise(prefix, order_id, ""),
            pc.binary_join_element_wise(prefix, name, "@", pc.fill_null(created, ""), ""),
        )
        attributes = json_objects([
            ("currency", currency), ("line_items", pa.array(ends - starts)),
            ("order", name), ("total", total)])
        consent = value_mapper(CONSENT_VALUES)
        country = pc.coalesce(first("billing_country"), first("shipping_country"))
        m.cols = {
            "event_id": event_id, "timestamp": created,
            "type": pa.repeat(pa.scalar("checkout"), groups), "email": first("email"),
            "phone": phone, "shopify_customer_id": trimmed(first("customer_id")),
            "country": map_array(country, country_code),
            "email_consent": map_array(first("email_consent"), consent),
            "sms_consent": map_array(first("sms_consent"), consent),
            "source": pc.binary_join_element_wise("shopify order ", name, ""),
            "attributes": attributes,
        }
        m.checked = frozenset({"attributes"})  # JSON objects made by json_objects
        m.source_columns = {k: v for k, v in {
            "email": plan["email"], "phone": phone_label,
            "shopify_customer_id": plan["customer_id"],
            "country": plan["billing_country"] or plan["shipping_country"],
            "email_consent": plan["email_consent"], "sms_consent": plan["sms_consent"],
            "timestamp": plan["created"], "event_id": plan["id"] or plan["name"],
        }.items() if v}
        return m
