import django.db.models.deletion
from django.db import migrations, models

import portal.crypto.fields

OLD_DRAFT_PREFIX = "selfreferral:"


def remove_readable_drafts_from_sessions(apps, schema_editor):
    """Unsent answers used to be kept in the visitor's session as readable JSON.

    Take them out of every stored session now, rather than leave them readable until the
    session ends; the visitor is told their answers were cleared and starts again.
    """
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.using(schema_editor.connection.alias).iterator():
        data = store.decode(session.session_data)
        old = [
            key
            for key, value in data.items()
            if key.startswith(OLD_DRAFT_PREFIX)
            and not key.endswith(":done")
            and isinstance(value, dict)
        ]
        if old:
            for key in old:
                del data[key]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_require_passkeys"),
        ("referrals", "0012_event_organisation_required"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SelfReferralDraft",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("answers", portal.crypto.fields.EncryptedTextField()),
                ("updated_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField(db_index=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("updated_at"))),
                        name="self_referral_draft_expires_after_change",
                    )
                ],
            },
        ),
        migrations.RunPython(remove_readable_drafts_from_sessions, migrations.RunPython.noop),
    ]
