"""Referral references: short enough to read over the phone, impossible to guess or count.

There is one form, ``NW8X-BDR5``: two groups of four from an alphabet without look-alike
characters. It is what is stored, so every page, message, register, export and API
answer that prints a referral's reference prints this form without formatting it.

People quote a reference however they like (``nw8x bdr5``, ``NW8XBDR5``). Every lookup
accepts that: ``normalise_reference`` turns what was typed into the stored form, and
``ReferenceField`` applies it to every database lookup on the field, so a search that
forgets to normalise still finds the referral.
"""

from __future__ import annotations

import secrets
import unicodedata

from django.db import models

# No 0/O, 1/I/L or U/V: easy to read aloud and to type from a screen.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 8
GROUP = 4
# The stored form, with its dash. Longer references made by the benchmarks fit too.
MAX_LENGTH = 12
# Nobody types a reference longer than this; anything longer is not one.
TYPED_MAX_LENGTH = 40


def format_reference(characters: str) -> str:
    """``characters`` (the eight, already upper-case) in the one form: ``NW8X-BDR5``.

    A value that is not eight characters is left as it is: it is not a reference, and
    matches none.
    """
    if len(characters) != LENGTH:
        return characters
    return f"{characters[:GROUP]}-{characters[GROUP:]}"


def new_reference() -> str:
    return format_reference("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalise_reference(value: str | None) -> str:
    """The reference a person meant, in the stored form, from however they typed or
    copied it: any case, with or without the dash, with spaces. NFKC first, because a
    phone's Chinese or Japanese keyboard types full-width letters and digits
    that look the same to the person reading them out."""
    typed = unicodedata.normalize("NFKC", (value or "")[:TYPED_MAX_LENGTH])
    characters = "".join(ch for ch in typed.upper() if ch.isalnum())
    return format_reference(characters)


def display_reference(reference: str) -> str:
    """The reference as people see it. Stored references are already in this form; this
    also formats one that came from elsewhere (typed, or from an older record)."""
    return normalise_reference(reference)


class ReferenceField(models.CharField):
    """A referral's reference. Every value saved or looked up is first put in the one
    form, so ``filter(reference="nw8x bdr5")`` finds ``NW8X-BDR5``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if isinstance(value, str):
            return normalise_reference(value)
        return value
