"""Referral references: short enough to read over the phone, impossible to guess or count."""

import secrets

# No 0/O, 1/I/L or U/V: easy to read aloud and to type from a screen.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def display_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"
