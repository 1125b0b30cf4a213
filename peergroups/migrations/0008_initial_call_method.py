"""How an initial call happens (phone or video), recorded when it is booked, and the
link a video call at that time is joined by.

Calls booked before there was a choice were all phone calls: they are recorded as such
before the database starts requiring every booked call to say how it happens.
"""

from django.conf import settings
from django.db import migrations, models

import portal.crypto.fields


def booked_calls_were_phone_calls(apps, schema_editor):
    InitialCallSlot = apps.get_model("peergroups", "InitialCallSlot")
    InitialCallSlot.objects.filter(referral__isnull=False, method="").update(method="phone")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0006_organisation_contact_phone_short_freephone"),
        ("peergroups", "0007_zoom_account_verification"),
        ("referrals", "0019_safe_contact_overrides"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="initialcallslot",
            name="method",
            field=models.CharField(
                blank=True,
                choices=[("phone", "Phone call"), ("video", "Video call")],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="initialcallslot",
            name="video_link",
            field=portal.crypto.fields.EncryptedTextField(blank=True, plain_max_length=500),
        ),
        migrations.RunPython(booked_calls_were_phone_calls, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="initialcallslot",
            constraint=models.CheckConstraint(
                condition=models.Q(("method__in", ["", "phone", "video"])),
                name="call_slot_method_is_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="initialcallslot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("referral__isnull", True),
                    models.Q(("method", ""), _negated=True),
                    _connector="OR",
                ),
                name="booked_call_says_how_it_happens",
            ),
        ),
    ]
