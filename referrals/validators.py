"""Validation shared by every way a referral arrives (public form, referrer form, API)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError


def clean_uk_phone(value: str) -> str:
    """A UK phone number in E.164 form, or a clear error."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            "Enter a UK phone number, like 07123 456789 or 0113 496 0000.", code="invalid"
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Enter a UK phone number, like 07123 456789 or 0113 496 0000.", code="invalid"
        )
    if phonenumbers.region_code_for_number(number) not in ("GB", "GG", "JE", "IM"):
        raise ValidationError(
            "Enter a UK phone number. We can only call or text UK numbers.", code="not_uk"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
