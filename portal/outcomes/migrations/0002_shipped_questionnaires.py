from django.db import migrations


def install_shipped(apps, schema_editor):
    from portal.outcomes.shipped import install

    install(apps.get_model("outcomes", "Questionnaire"), apps.get_model("outcomes", "Question"))


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(install_shipped, migrations.RunPython.noop)]
