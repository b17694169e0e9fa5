"""Identifiers typed on the command line, normalised exactly like input (SPEC section 6)."""

from __future__ import annotations

from identigraph.errors import UsageError
from identigraph.normalise import (
    Invalid,
    clean_raw,
    normalise_email,
    normalise_external_id,
    normalise_phone,
)

PREFIXES = ("email:", "phone:", "external_id:")


def parse_identifier(text: str, default_region: str = "US") -> str:
    """``kind:value`` for a typed identifier: explicit prefix, ``@`` for email, a valid
    phone number, else an external id. The value is cleaned as a file's cell is (trimmed,
    one leading apostrophe dropped), so a query finds what a load stored."""
    raw = clean_raw(text) or ""
    for prefix in PREFIXES:
        if raw.lower().startswith(prefix):
            kind, value = prefix[:-1], clean_raw(raw[len(prefix):]) or ""
            break
    else:
        if "@" in raw:
            kind, value = "email", raw
        else:
            phone = normalise_phone(raw, None, default_region)
            if not isinstance(phone, Invalid):
                return f"phone:{phone}"
            kind, value = "external_id", raw
    norm = {"email": normalise_email,
            "phone": lambda v: normalise_phone(v, None, default_region),
            "external_id": normalise_external_id}[kind](value)
    if isinstance(norm, Invalid):
        raise UsageError(f"{text!r} is not a valid {kind}: {norm.reason}")
    return f"{kind}:{norm}"
