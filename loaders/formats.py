"""The registry of input formats and ``auto`` detection by header."""

from __future__ import annotations

from pathlib import Path

from identigraph.errors import UsageError
from identigraph.loaders.batch import Format
from identigraph.loaders.csvfile import read_header
from identigraph.loaders.events_format import EventsFormat, is_jsonl, jsonl_records
from identigraph.loaders.klaviyo import KlaviyoProfiles
from identigraph.loaders.segment import SegmentFormat
from identigraph.loaders.shopify import ShopifyCustomers, ShopifyOrders
from identigraph.loaders.sms import SmsSubscribers

#: Formats in detection order: the first whose ``matches`` accepts a header wins.
#: Segment before events (its messages have ``type`` and ``timestamp`` too); the CSV
#: exports after events, most specific header first.
FORMATS: dict[str, Format] = {f.name: f for f in (
    SegmentFormat(), EventsFormat(), ShopifyOrders(), ShopifyCustomers(), KlaviyoProfiles(),
    SmsSubscribers(),
)}


def file_header(path: Path) -> list[str]:
    """CSV column names, or the keys of the first JSON Lines object."""
    if is_jsonl(path):
        for _, obj, _ in jsonl_records(path):
            if obj is not None:
                keys = list(obj)
                if isinstance(obj.get("context"), dict):
                    keys.append("context")
                return keys
        return []
    return list(read_header(path))


def pick_format(path: Path, name: str = "auto") -> Format:
    """The format to read a file with: by name, or detected from its header."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    if name != "auto":
        if name not in FORMATS:
            raise UsageError(f"unknown format {name!r} (known: auto, {', '.join(FORMATS)})")
        return FORMATS[name]
    header = file_header(path)
    for fmt in FORMATS.values():
        if fmt.matches(header):
            return fmt
    shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
    raise UsageError(f"{path}: header matches no known format ({shown}); use --format")
