"""Keys come from settings; the first key of each list is the current one.

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) encrypts; a
MultiFernet decrypts with any listed key, so a new key can be put first, every row
re-encrypted, and the old key then removed.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: personal data cannot be stored."
        )
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "Each FIELD_ENCRYPTION_KEYS entry must be a Fernet key (32 url-safe base64 bytes)."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def lookup_keys() -> list[bytes]:
    keys = [key.strip().encode() for key in settings.LOOKUP_HASH_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("LOOKUP_HASH_KEYS is empty: encrypted values cannot be matched.")
    return keys


def lookup_hash(value: str, *, key: bytes | None = None) -> str:
    """A keyed hash of a normalised value: equal inputs match without decrypting anything."""
    key = key or lookup_keys()[0]
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()
