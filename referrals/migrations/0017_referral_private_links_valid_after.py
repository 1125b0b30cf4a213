"""Staff can stop all of a person's private links at once (``Referral.private_links_valid_after``),
and at most five links of each kind work for one person at a time: the links already
sent beyond the newest five of each kind are stopped now, as issuing a new link does
from now on (``referrals.links.LIVE_LINKS_PER_PURPOSE``)."""

from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone

# As referrals.links.LIVE_LINKS_PER_PURPOSE was when this migration was written.
LIVE_LINKS_PER_PURPOSE = 5


def stop_links_beyond_the_newest(apps, schema_editor):
    PrivateLink = apps.get_model("referrals", "PrivateLink")
    now = timezone.now()
    working = PrivateLink.objects.filter(revoked_at__isnull=True, expires_at__gt=now)
    crowded = list(
        working.order_by()
        .values("referral_id", "purpose")
        .annotate(links=Count("id"))
        .filter(links__gt=LIVE_LINKS_PER_PURPOSE)
    )
    for kind in crowded:
        older = working.filter(referral_id=kind["referral_id"], purpose=kind["purpose"]).order_by(
            "-created_at", "-id"
        )[LIVE_LINKS_PER_PURPOSE:]
        PrivateLink.objects.filter(pk__in=list(older.values_list("pk", flat=True))).update(
            revoked_at=now
        )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0016_referral_reference_one_form"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="private_links_valid_after",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Stopping links cannot be undone: going back leaves them stopped.
        migrations.RunPython(stop_links_beyond_the_newest, migrations.RunPython.noop),
    ]
