import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0011_event_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referralevent",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="referralevent",
            index=models.Index(
                fields=["organisation", "-at", "-id"], name="event_recent_by_organisation"
            ),
        ),
    ]
