"""What phonenumbers alone makes of a phone: the answer the stored phones are held to."""

from __future__ import annotations

import phonenumbers


def library_phone(raw: str, region: str) -> str | None:
    """E.164 of the number phonenumbers parses from the text (trimmed, one leading
    spreadsheet apostrophe dropped) under ``region`` when it is valid; else None."""
    text = raw.strip()
    if text.startswith("'"):
        text = text[1:].strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
