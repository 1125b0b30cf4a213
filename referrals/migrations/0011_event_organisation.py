# Each referral event keeps its referral's organisation, so an organisation's latest
# events are read from one index. Added empty and filled from the referrals here; made
# required in the next migration (on PostgreSQL a table cannot be altered in the
# transaction that updated its foreign keys: their checks are still pending).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_organisation(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    # One statement, whatever the number of events. A migration's model has a plain
    # manager: the append-only rule belongs to the application, not to the schema.
    ReferralEvent.objects.filter(organisation__isnull=True).update(
        organisation=Subquery(
            Referral.objects.filter(pk=OuterRef("referral_id")).values("organisation_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_require_passkeys"),
        ("referrals", "0010_queue_and_report_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referralevent",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.RunPython(fill_organisation, migrations.RunPython.noop),
    ]
