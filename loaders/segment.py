"""``segment``: Segment-style JSON Lines (optionally gzipped): identify, track, page, screen.

``messageId`` is the event id, ``userId`` a ``segment_user_id`` and ``anonymousId`` a
``segment_anonymous_id`` (each its own namespace), ``traits`` (identify) and
``context.traits`` (every call) give the email and phone. Track events named in
``ReadOptions.checkout_events`` are checkouts; every other call that carries an
identifier is a ``profile_update``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from identigraph.errors import UsageError
from identigraph.loaders._columns import country_code, is_spreadsheet_number, spreadsheet_damage
from identigraph.loaders.batch import RawBatch, ReadOptions, RowBatch
from identigraph.loaders.events_format import is_jsonl, jsonl_records
from identigraph.loaders.report import Problem

FIELDS = ("event_id", "timestamp", "type", "email", "phone", "segment_user_id",
          "segment_anonymous_id", "country", "source", "attributes")
EMAIL_KEYS = ("email", "Email", "email_address", "emailAddress")
PHONE_KEYS = ("phone", "Phone", "phone_number", "phoneNumber", "mobile")
TIME_KEYS = ("timestamp", "originalTimestamp", "sentAt", "receivedAt")
CALLS = ("identify", "track", "page", "screen", "group", "alias")


def _text(value: Any) -> str | None:
    """A JSON scalar as text (None for null, objects and lists, and empty text)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pick(keys: tuple[str, ...], *sources: dict[str, Any]) -> str | None:
    for src in sources:
        for key in keys:
            v = _text(src.get(key))
            if v is not None:
                return v
    return None


class SegmentFormat:
    """Segment's message JSON, one message per line."""

    name = "segment"

    def matches(self, header: list[str]) -> bool:
        """A message ``type`` with Segment's ``messageId`` / ``userId`` / ``anonymousId``."""
        return "type" in header and any(
            k in header for k in ("messageId", "anonymousId", "userId"))

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw events, one per identify / track / page / screen carrying an identifier."""
        if not is_jsonl(path):
            raise UsageError(f"{path}: the segment format reads JSON Lines "
                             "(.jsonl, .ndjson, .json, optionally .gz)")
        checkouts = {e.strip().lower() for e in options.checkout_events}
        batch = self._empty(path)
        for line, obj, error in jsonl_records(path):
            if obj is None:
                batch.rejected.append(Problem(str(path), line, "", "", error, "rejected"))
            else:
                self._add(batch, line, obj, checkouts)
            if len(batch) >= options.batch_rows:
                yield batch.raw()
                batch = self._empty(path)
        if len(batch) or batch.rejected:
            yield batch.raw()

    def _add(self, batch: RowBatch, line: int, obj: dict[str, Any], checkouts: set[str]
             ) -> None:
        file = batch.file
        call = (_text(obj.get("type")) or "").lower()
        if call not in CALLS:
            batch.rejected.append(Problem(file, line, "type", _text(obj.get("type")) or "",
                                          "not a Segment call (identify, track, page, "
                                          "screen, group)", "rejected"))
            return
        if call == "alias":
            batch.rejected.append(Problem(
                file, line, "type", "alias", "alias calls are not loaded: previousId is "
                "usually an anonymous id, not an email, phone or user id", "rejected"))
            return
        context = _obj(obj.get("context"))
        ctx_traits = _obj(context.get("traits"))
        traits = _obj(obj.get("traits")) if call == "identify" else {}
        props = _obj(obj.get("properties"))
        person = (traits, ctx_traits, props) if call == "track" else (traits, ctx_traits)
        user_id = _text(obj.get("userId"))
        email = _pick(EMAIL_KEYS, *person)
        phone = _pick(PHONE_KEYS, *person)
        if user_id is None and email is None and phone is None:
            anon = " (only an anonymousId)" if _text(obj.get("anonymousId")) else ""
            batch.rejected.append(Problem(
                file, line, "userId", "", f"{call} call without userId, email or phone{anon}: "
                "nothing to resolve", "rejected"))
            return
        if phone is not None and is_spreadsheet_number(phone):
            batch.warnings.append(Problem(file, line, "traits.phone", phone,
                                          spreadsheet_damage(), "warning"))
            phone = None
        name = _text(obj.get("event")) if call == "track" else _text(obj.get("name"))
        if call == "track" and (name or "").lower() in checkouts:
            typ = "checkout"
        else:
            typ = "profile_update"
        address = _obj(traits.get("address")) or _obj(ctx_traits.get("address"))
        country = country_code(_text(address.get("country")))
        if call == "identify":
            attrs = {k: v for k, v in traits.items() if k not in EMAIL_KEYS + PHONE_KEYS}
        else:
            attrs = dict(props)
        if name is not None:
            attrs["event" if call == "track" else "name"] = name
        if call == "group" and _text(obj.get("groupId")):
            attrs["group_id"] = _text(obj.get("groupId"))
        message_id = _text(obj.get("messageId"))
        values = {
            "event_id": f"{self.name}:{message_id}" if message_id else None,
            "timestamp": _pick(TIME_KEYS, obj),
            "type": typ, "email": email, "phone": phone, "segment_user_id": user_id,
            "segment_anonymous_id": _text(obj.get("anonymousId")),
            "country": country,
            "source": name if call == "track" else (f"{call} {name}" if name else call),
            "attributes": json.dumps(attrs, sort_keys=True, ensure_ascii=False) if attrs
            else None,
        }
        batch.add(line, values)

    def _empty(self, path: Path) -> RowBatch:
        return RowBatch(str(path), FIELDS, self.name,
                        source_columns={"segment_user_id": "userId",
                                        "segment_anonymous_id": "anonymousId",
                                        "email": "traits.email/context.traits.email",
                                        "phone": "traits.phone/context.traits.phone",
                                        "country": "traits.address.country",
                                        "timestamp": "timestamp", "event_id": "messageId"})
