"""How a family can reach an organisation themselves: its phone number, email address and
opening hours, checked here the same way for the coordinator's form and the demo data.

The phone number is stored in E.164 form (``+441134960000``), which the database checks,
and shown the way people in the UK write it (``0113 496 0000``).
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError

PHONE_EXAMPLE = "Enter a UK phone number, like 0113 496 0000 or 0808 157 0000."
# What the database's check constraint accepts, and so the last thing the form checks:
# +44 and the national number without its 0, from seven digits (a short freephone number
# such as 0800 1111) to ten.
UK_E164_PATTERN = r"^\+44[0-9]{7,10}$"
OPENING_HOURS_MAX_LENGTH = 300
# Enough for a few lines ("Monday to Friday, 9am to 5pm" and "Closed on bank holidays").
OPENING_HOURS_MAX_LINES = 6


def uk_phone_normalise(value: str) -> str:
    """A UK phone number a family can ring, in E.164 form, or a plain-English error."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(PHONE_EXAMPLE, code="invalid") from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_EXAMPLE, code="invalid")
    if number.country_code != 44:
        raise ValidationError(
            "Enter a UK phone number. Families may not be able to ring a number abroad.",
            code="not_uk",
        )
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        raise ValidationError(
            "Enter a number that does not cost a premium rate to call.", code="premium_rate"
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not re.fullmatch(UK_E164_PATTERN, e164):
        raise ValidationError(PHONE_EXAMPLE, code="invalid")
    return e164


def uk_phone_display(e164: str) -> str:
    """``+441134960000`` as ``0113 496 0000``; anything unreadable is shown as stored."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def opening_hours_clean(value: str) -> str:
    """Opening hours as plain lines of text, without blank lines or trailing spaces."""
    lines = [line.strip() for line in (value or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > OPENING_HOURS_MAX_LINES:
        raise ValidationError(
            f"Keep the opening hours to {OPENING_HOURS_MAX_LINES} lines or fewer.",
            code="too_many_lines",
        )
    return "\n".join(lines)
