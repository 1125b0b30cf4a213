"""Encryption of personal data at rest, and keyed hashes for matching encrypted values."""
