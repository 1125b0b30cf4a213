# The support page: who gave a code by phone, and the timeline lines for calls and codes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0014_private_link"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="privatelink",
            name="issued_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="privatelink",
            name="purpose",
            field=models.CharField(
                choices=[("place", "Their support page"), ("withdraw", "Stopping all contact")],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="referralevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Referral received"),
                    ("duplicate_flagged", "Possible duplicate flagged"),
                    ("assigned", "Assigned"),
                    ("state_changed", "Status changed"),
                    ("contact_attempt", "Contact attempt"),
                    ("note_added", "Note added"),
                    ("safe_contact_updated", "Safe contact updated"),
                    ("consent_withdrawn", "Consent withdrawn"),
                    ("message", "Message"),
                    ("pack_sent", "Resource pack sent"),
                    ("call_booked", "Initial call booked"),
                    ("call_moved", "Initial call moved"),
                    ("support_code_given", "Support page code given by phone"),
                ],
                max_length=30,
            ),
        ),
    ]
