"""Guides record when they were last checked (review is due a year later), and directory
entries record when, by whom and against what they were checked; only a checked entry can
be active."""

from datetime import date

from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def fill_last_checked(apps, schema_editor):
    # Until now a guide was reviewed yearly from its "review by" date, so it was last
    # checked a year before that; but never later than it was last saved (an old form let
    # a coordinator set a review date years ahead), so no reader sees a date to come.
    for name, saved in (("Resource", "updated_at"), ("ResourceVersion", "changed_at")):
        model = apps.get_model("resources", name)
        for row in model.objects.only("pk", "review_by", saved).iterator():
            last_saved = timezone.localdate(getattr(row, saved))
            model.objects.filter(pk=row.pk).update(
                last_checked=min(_year_before(row.review_by), last_saved)
            )


def fill_assured_date(apps, schema_editor):
    # An active entry was vouched for when it was last saved (on the London calendar);
    # who did so was not recorded.
    Signpost = apps.get_model("resources", "Signpost")
    for row in Signpost.objects.filter(status="active").only("pk", "updated_at").iterator():
        Signpost.objects.filter(pk=row.pk).update(
            assured_date=timezone.localdate(row.updated_at)
        )


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
