"""Key rotation: re-encrypt every encrypted column with the current key, and recompute
every keyed lookup hash with the current lookup key.

Put the new key first in FIELD_ENCRYPTION_KEYS (and LOOKUP_HASH_KEYS), keep the old
ones after it, run ``manage.py rotate_encryption_keys``, then remove the old keys.
Rows already on the current keys are left alone, so an interrupted run can simply be
run again; each batch is its own transaction. A row is rewritten only if it still holds
what was read: one changed meanwhile (a visitor answering another page of their
self-referral draft) was written with the current key already, and must not be put back
to what it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from .fields import EncryptedTextField
from .keys import fernet, lookup_hash, lookup_keys

BATCH_SIZE = 500


@dataclass(frozen=True)
class Column:
    model: type[models.Model]
    field: str


@dataclass
class RotationReport:
    rows_read: int = 0
    values_reencrypted: int = 0
    hashes_recomputed: int = 0
    # Changed by someone else between being read and being rewritten, so left as they are.
    rows_changed_meanwhile: int = 0


def encrypted_columns() -> list[Column]:
    return [
        Column(model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def lookup_hash_columns() -> dict[type[models.Model], dict[str, str]]:
    """Models declare ``lookup_hashes = {"email_hash": "email"}`` for their hash columns."""
    return {
        model: model.lookup_hashes
        for model in apps.get_models()
        if getattr(model, "lookup_hashes", None)
    }


def _current_fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0].strip().encode())


def _is_current(token: str, current: Fernet) -> bool:
    try:
        current.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _batches(model, columns: list[str]) -> Iterator[list[tuple]]:
    """Raw stored values (never decrypted by the field), in primary-key order."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    selected = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    # Names come from the models and are quoted; values are parameters (hence the noqa).
    last = None
    while True:
        where, params = (f"WHERE {pk} > %s", [last]) if last is not None else ("", [])
        sql = f"SELECT {pk}, {selected} FROM {table} {where} ORDER BY {pk} LIMIT %s"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, BATCH_SIZE])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(model, pk, values: dict[str, str], *, read: dict[str, str | None]) -> bool:
    """Write ``values`` if the row still holds ``read``; says whether it did."""
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(model._meta.get_field(name).column)

    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{column(name)} = %s" for name in values)
    unchanged = " AND ".join(
        f"{column(name)} IS NULL" if value is None else f"{column(name)} = %s"
        for name, value in read.items()
    )
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608  # nosec B608
        f"WHERE {quote(model._meta.pk.column)} = %s AND {unchanged}"
    )
    params = [*values.values(), pk, *(value for value in read.values() if value is not None)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def rotate_keys(*, progress: Callable[[str], None] = lambda message: None) -> RotationReport:
    report = RotationReport()
    current = _current_fernet()
    current_lookup = lookup_keys()[0]
    by_model: dict[type[models.Model], list[str]] = {}
    for column in encrypted_columns():
        by_model.setdefault(column.model, []).append(column.field)
    hashes = lookup_hash_columns()
    for model in sorted(set(by_model) | set(hashes), key=lambda m: m._meta.label):
        fields = by_model.get(model, [])
        hash_fields = hashes.get(model, {})
        sources = sorted(set(fields) | set(hash_fields.values()) | set(hash_fields))
        done = 0
        for rows in _batches(model, sources):
            with transaction.atomic():
                for pk, *stored in rows:
                    raw = dict(zip(sources, stored, strict=True))
                    changes = {}
                    for name in fields:
                        token = raw[name]
                        if token and not _is_current(token, current):
                            changes[name] = fernet().rotate(token.encode()).decode()
                    reencrypted = len(changes)
                    for hash_field, source in hash_fields.items():
                        token = raw[source]
                        plain = fernet().decrypt(token.encode()).decode() if token else ""
                        wanted = lookup_hash(plain, key=current_lookup) if plain else ""
                        if raw[hash_field] != wanted:
                            changes[hash_field] = wanted
                    if not changes:
                        continue
                    if _update(model, pk, changes, read=raw):
                        report.values_reencrypted += reencrypted
                        report.hashes_recomputed += len(changes) - reencrypted
                    else:
                        report.rows_changed_meanwhile += 1
            done += len(rows)
            report.rows_read += len(rows)
            progress(f"{model._meta.label}: {done} rows checked")
    return report
