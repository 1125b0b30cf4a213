from django.db import migrations, models

import portal.crypto.fields

TABLE = "resources_delivery"


def _rewrite_titles(schema_editor, change) -> None:
    """Rewrite every stored title with ``change``, which returns None to leave one alone."""
    connection = schema_editor.connection
    table = connection.ops.quote_name(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title FROM {table} WHERE title <> ''")  # noqa: S608  # nosec B608 - a fixed, quoted table name
        rows = cursor.fetchall()
        for pk, title in rows:
            new = change(title)
            if new is not None:
                cursor.execute(f"UPDATE {table} SET title = %s WHERE id = %s", [new, pk])  # noqa: S608  # nosec B608 - a fixed, quoted table name


def encrypt_titles(apps, schema_editor):
    """Titles were stored in plain text: encrypt each one in place."""
    from cryptography.fernet import InvalidToken

    from portal.crypto.keys import fernet

    def encrypted(title: str) -> str | None:
        try:
            fernet().decrypt(title.encode())
        except InvalidToken:
            return fernet().encrypt(title.encode()).decode()
        return None  # already encrypted (a re-run)

    _rewrite_titles(schema_editor, encrypted)


def decrypt_titles(apps, schema_editor):
    """Back to plain text, for undoing this migration (needs the keys, as reading does)."""
    from cryptography.fernet import InvalidToken

    from portal.crypto.keys import fernet

    def decrypted(title: str) -> str | None:
        try:
            return fernet().decrypt(title.encode()).decode()[:150]
        except InvalidToken:
            return None  # already plain

    _rewrite_titles(schema_editor, decrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="title",
            field=portal.crypto.fields.EncryptedTextField(plain_max_length=150),
        ),
        migrations.RunPython(encrypt_titles, decrypt_titles),
    ]
