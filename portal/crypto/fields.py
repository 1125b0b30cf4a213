"""Model fields that store personal data encrypted.

The database holds only Fernet tokens; Python code sees plain strings. Encrypted
columns cannot be searched or ordered by content: match with a keyed-hash column
beside them (see ``portal.crypto.keys.lookup_hash``).
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.exceptions import ValidationError
from django.db import models

from .keys import fernet


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. ``max_length`` limits the plain text, not the stored token."""

    description = "Text encrypted at rest"

    def __init__(self, *args, **kwargs):
        self.plain_max_length = kwargs.pop("plain_max_length", None)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return fernet().encrypt(str(value).encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken as error:
            raise ValidationError(
                "A stored value could not be decrypted: is its key still configured?"
            ) from error

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.plain_max_length and value and len(value) > self.plain_max_length:
            raise ValidationError(
                f"Keep this to {self.plain_max_length} characters or fewer.", code="max_length"
            )

    def get_lookup(self, lookup_name):
        # Comparing ciphertexts would silently find nothing: refuse rather than mislead.
        if lookup_name != "isnull":
            raise TypeError(f"Encrypted fields cannot be filtered with '{lookup_name}'.")
        return super().get_lookup(lookup_name)


def reencrypt(value: str | None) -> str | None:
    """Decrypt with any configured key and encrypt with the current one (key rotation)."""
    if not value:
        return value
    return fernet().rotate(value.encode()).decode()
