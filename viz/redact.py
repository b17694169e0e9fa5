"""Mask emails, phones and names in a cluster so views can be shared without raw PII."""

from __future__ import annotations

import copy
import re
from typing import Any

from .common import Cluster

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: anything phone-shaped: 7 or more digits, maybe after a plus, with the usual formatting
_PHONE_RE = re.compile(r"(?<![\w+(])\+?\(?\d(?:[ ().-]*\d){6,}(?!\w)")
_MASKED_KINDS = {"email", "phone"}


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


def mask_name(name: str) -> str:
    """Keep only the first letter of a person's name: Ann -> A***."""
    return name.strip()[:1] + "***" if name.strip() else name


def mask_text(text: str) -> str:
    """Mask every email and international phone number found inside free text."""
    text = _EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def _scrub(value: Any) -> Any:
    """Apply mask_text to every string inside nested dicts and lists."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _mask_value(kind: str, value: str) -> str:
    """Mask an identifier value according to its kind."""
    return mask_email(value) if kind == "email" else mask_phone(value)


def _id_map(nodes: list[dict[str, Any]]) -> dict[str, str]:
    """Map every node id to its masked id, keeping masked ids unique so nodes stay distinct."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for node in nodes:
        old = str(node["id"])
        kind, value = str(node.get("kind")), node.get("value")
        if kind in _MASKED_KINDS and isinstance(value, str) and value and value in old:
            new = old.replace(value, _mask_value(kind, value))
        elif kind == "external_id":
            new = mask_text(old)  # an email or phone used as an external id
        else:
            new = mask_text(old)
        candidate, n = new, 1
        while candidate in used:
            n += 1
            candidate = f"{new}#{n}"
        mapping[old] = candidate
        used.add(candidate)
    return mapping


def _redact_node(node: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """Return a masked node: id from the id map, value/label masked by kind, names masked."""
    kind = str(node.get("kind"))
    out: dict[str, Any] = {}
    for key, val in node.items():
        if key == "id":
            out[key] = ids[str(val)]
        elif key == "attributes" and isinstance(val, dict):
            out[key] = {
                k: mask_name(v) if "name" in k.lower() and isinstance(v, str) else _scrub(v)
                for k, v in val.items()
            }
        elif kind == "external_id" and key in {"value", "label"} and isinstance(val, str):
            out[key] = mask_text(val)
        elif kind in _MASKED_KINDS and key == "value" and isinstance(val, str):
            out[key] = _mask_value(kind, val)
        elif kind in _MASKED_KINDS and key == "label" and isinstance(val, str):
            raw = node.get("value")
            if isinstance(raw, str) and raw and raw in val:
                val = val.replace(raw, _mask_value(kind, raw))
            out[key] = mask_text(val)
        else:
            out[key] = _scrub(val)
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
    ids = _id_map(nodes)

    def remap(node_id: Any) -> Any:
        """Translate a node reference through the id map (masking unknown ones)."""
        if node_id is None:
            return None
        return ids.get(str(node_id)) or mask_text(str(node_id))

    out: Cluster = {}
    for key, val in src.items():
        if key == "nodes":
            out[key] = [_redact_node(n, ids) for n in nodes]
        elif key == "edges":
            out[key] = [
                {k: remap(v) if k in {"from", "to"} else _scrub(v) for k, v in e.items()}
                for e in val or []
            ]
        elif key == "center":
            out[key] = remap(val)
        elif key == "highlight" and isinstance(val, dict):
            out[key] = {k: remap(v) if k in {"a", "b"} else _scrub(v) for k, v in val.items()}
        else:
            out[key] = _scrub(val)
    masked: Cluster = _mask_names(out, _names(nodes))
    return masked
