"""References are stored as they are shown, NW8X-BDR5: the references already made
(eight characters, no dash) get their dash. Nothing else changes, so a reference a
person wrote down either way still finds their referral."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr

import referrals.references


def add_the_dash(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.annotate(characters=Length("reference")).filter(characters=8).update(
        reference=Concat(Substr("reference", 1, 4), Value("-"), Substr("reference", 5, 4))
    )


def remove_the_dash(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.annotate(characters=Length("reference")).filter(
        characters=9, reference__contains="-"
    ).update(reference=Concat(Substr("reference", 1, 4), Substr("reference", 6, 4)))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0015_support_page"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="reference",
            field=referrals.references.ReferenceField(unique=True),
        ),
        migrations.RunPython(add_the_dash, remove_the_dash),
    ]
