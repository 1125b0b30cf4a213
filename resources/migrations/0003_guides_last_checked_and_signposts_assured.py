"""Guides record when they were last checked (review is due a year later), and directory
entries record when, by whom and against what they were checked; only a checked entry can
be active."""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F, Q


def fill_last_checked(apps, schema_editor):
    # Until now the library was reviewed yearly from a "review by" date: it was last
    # checked a year before that.
    for name in ("Resource", "ResourceVersion"):
        model = apps.get_model("resources", name)
        for row in model.objects.only("pk", "review_by").iterator():
            model.objects.filter(pk=row.pk).update(
                last_checked=row.review_by - timedelta(days=365)
            )


def fill_assured_date(apps, schema_editor):
    # An active entry was vouched for when it was last saved; who did so was not recorded.
    Signpost = apps.get_model("resources", "Signpost")
    for row in Signpost.objects.filter(status="active").only("pk", "updated_at").iterator():
        Signpost.objects.filter(pk=row.pk).update(assured_date=row.updated_at.date())


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_delivery_title_encrypted")]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="last_checked",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="resourceversion",
            name="last_checked",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_last_checked, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="resource", name="last_checked", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="resourceversion", name="last_checked", field=models.DateField()
        ),
        migrations.AddConstraint(
            model_name="resource",
            constraint=models.CheckConstraint(
                condition=Q(review_by__gt=F("last_checked")),
                name="resource_review_after_last_checked",
            ),
        ),
        migrations.AddField(
            model_name="signpost",
            name="assured_date",
            field=models.DateField(blank=True, null=True, verbose_name="Details last checked"),
        ),
        migrations.AddField(
            model_name="signpost",
            name="assured_by",
            field=models.CharField(blank=True, max_length=200, verbose_name="Checked by"),
        ),
        migrations.AddField(
            model_name="signpost",
            name="assured_from",
            field=models.URLField(blank=True, max_length=300, verbose_name="Checked against"),
        ),
        migrations.RunPython(fill_assured_date, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="signpost",
            constraint=models.CheckConstraint(
                condition=~Q(status="active") | Q(assured_date__isnull=False),
                name="signpost_active_only_when_checked",
            ),
        ),
    ]
