"""Mask identifiers of every kind and names in a cluster so views can be shared without raw
PII: emails and phones by their shape, ids (external_id and every id namespace, such as
``klaviyo_id``) by their value wherever it stands."""

from __future__ import annotations

import copy
import re
from typing import Any

from identigraph.model import CONTACT_KINDS

from .common import Cluster

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: anything phone-shaped: 7 or more digits, maybe after a plus, with the usual formatting
_PHONE_RE = re.compile(r"(?<![\w+(])\+?\(?\d(?:[ ().-]*\d){6,}(?!\w)")
#: node kinds that are no identifier (every other kind is one, so it is masked)
_NOT_IDENTIFIERS = frozenset(("profile", "collapsed"))


def mask_email(email: str) -> str:
    """Keep the first letter and the domain: ann@example.com -> a***@example.com."""
    local, at, domain = email.rpartition("@")
    if not at:
        return email[:1] + "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """Keep the last 4 digits (2 of a number of 8 digits or fewer) and whether it had a
    plus: +14155550101 -> +***0101, (415) 555-0101 -> ***0101."""
    digits = re.sub(r"\D", "", phone)
    plus = "+" if phone.strip().startswith("+") else ""
    return f"{plus}***{digits[-4:] if len(digits) > 8 else digits[-2:]}"


def mask_id(value: str) -> str:
    """Keep the last 4 characters of an id longer than 8 (2 of one of 5 to 8, none of a
    shorter one): 01J8X6P1Q2R3S4T5V6W7X8Y9ZD -> ***Y9ZD."""
    v = value.strip()
    keep = 4 if len(v) > 8 else 2 if len(v) > 4 else 0
    return "***" + v[len(v) - keep:]


def mask_name(name: str) -> str:
    """Keep only the first letter of a person's name: Ann -> A***."""
    return name.strip()[:1] + "***" if name.strip() else name


def mask_text(text: str) -> str:
    """Mask every email and international phone number found inside free text."""
    text = _EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def _mask_value(kind: str, value: str) -> str:
    """Mask an identifier value according to its kind (emails and phones by their shape)."""
    return mask_email(value) if kind == "email" else mask_phone(value) if kind == "phone" \
        else mask_id(value)


def _raw_value(node: dict[str, Any]) -> str | None:
    """The raw value of an identifier node (None for a profile, a collapsed group, none)."""
    value = node.get("value")
    if str(node.get("kind")) in _NOT_IDENTIFIERS or not isinstance(value, str) or not value:
        return None
    return value


class _Text:
    """Masks free text: the cluster's id values (any kind but email and phone) wherever they
    stand as a token (an event id, a sentence, the caption), then email and phone shapes."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.masked = {v: mask_id(v) for n in nodes if str(n.get("kind")) not in CONTACT_KINDS
                       and (v := _raw_value(n)) is not None}
        values = sorted(self.masked, key=lambda v: (-len(v), v))  # the longest one first
        self.ids = re.compile("(?<![0-9A-Za-z])(?:" + "|".join(map(re.escape, values))
                              + ")(?![0-9A-Za-z])") if values else None

    def __call__(self, text: str) -> str:
        if self.ids is not None:
            text = self.ids.sub(lambda m: self.masked[m.group(0)], text)
        return mask_text(text)

    def scrub(self, value: Any) -> Any:
        """Mask every string inside nested dicts and lists."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value


def _id_map(nodes: list[dict[str, Any]], text: _Text) -> dict[str, str]:
    """Map every node id to its masked id, keeping masked ids unique so nodes stay distinct."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for node in nodes:
        old = str(node["id"])
        value = _raw_value(node)
        if value is not None and value in old:
            new = old.replace(value, _mask_value(str(node.get("kind")), value))
        else:
            new = text(old)
        candidate, n = new, 1
        while candidate in used:
            n += 1
            candidate = f"{new}#{n}"
        mapping[old] = candidate
        used.add(candidate)
    return mapping


def _redact_node(node: dict[str, Any], ids: dict[str, str], text: _Text) -> dict[str, Any]:
    """Return a masked node: id from the id map, value/label masked by kind, names masked."""
    kind, raw = str(node.get("kind")), _raw_value(node)
    out: dict[str, Any] = {}
    for key, val in node.items():
        if key == "id":
            out[key] = ids[str(val)]
        elif key == "attributes" and isinstance(val, dict):
            out[key] = {
                k: mask_name(v) if "name" in k.lower() and isinstance(v, str) else text.scrub(v)
                for k, v in val.items()
            }
        elif raw is not None and key == "value":
            out[key] = _mask_value(kind, raw)
        elif raw is not None and key == "label" and isinstance(val, str):
            out[key] = text(val.replace(raw, _mask_value(kind, raw)))
        else:
            out[key] = text.scrub(val)
    return out


def _names(nodes: list[dict[str, Any]]) -> list[str]:
    """People's names the nodes carry (a profile's name, ``*name*`` attributes), longest
    first so that ``Maria Lopez`` is masked before ``Maria``."""
    found = {str(n["name"]) for n in nodes if n.get("name")}
    for n in nodes:
        for k, v in (n.get("attributes") or {}).items():
            if "name" in str(k).lower() and isinstance(v, str) and v.strip():
                found.add(v.strip())
    return sorted(found, key=lambda x: (-len(x), x))


def _mask_names(value: Any, names: list[str]) -> Any:
    """Every name inside nested strings replaced by its masked form."""
    if not names:
        return value
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, mask_name(name))
        return value
    if isinstance(value, dict):
        return {k: _mask_names(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_names(v, names) for v in value]
    return value


def redact_cluster(cluster: Cluster) -> Cluster:
    """Return a masked deep copy of a cluster whose edges still connect the same nodes."""
    src = copy.deepcopy(cluster)
    nodes: list[dict[str, Any]] = list(src.get("nodes") or [])
    text = _Text(nodes)
    ids = _id_map(nodes, text)

    def remap(node_id: Any) -> Any:
        """Translate a node reference through the id map (masking unknown ones)."""
        if node_id is None:
            return None
        return ids.get(str(node_id)) or text(str(node_id))

    out: Cluster = {}
    for key, val in src.items():
        if key == "nodes":
            out[key] = [_redact_node(n, ids, text) for n in nodes]
        elif key == "edges":
            out[key] = [
                {k: remap(v) if k in {"from", "to"} else text.scrub(v) for k, v in e.items()}
                for e in val or []
            ]
        elif key == "center":
            out[key] = remap(val)
        elif key == "highlight" and isinstance(val, dict):
            out[key] = {k: remap(v) if k in {"a", "b"} else text.scrub(v) for k, v in val.items()}
        else:
            out[key] = text.scrub(val)
    masked: Cluster = _mask_names(out, _names(nodes))
    return masked
